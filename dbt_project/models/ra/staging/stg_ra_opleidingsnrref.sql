-- Reference: education number to CTO code.
select
    trim(cast(OPLNR as varchar))                              as education_number,
    trim(cast(CTO as varchar))                                as cto_code
from {{ source('raw_ra', 'opleidingsnrref') }}
