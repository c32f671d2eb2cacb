-- Reference: CTO code to the education level (OPLNIVSOI2016AGG4HB).
select
    trim(cast(CTO as varchar))                                as cto_code,
    trim(cast(OPLNIVSOI2016AGG4HB as varchar))                as level_code
from {{ source('raw_ra', 'ctoref') }}
