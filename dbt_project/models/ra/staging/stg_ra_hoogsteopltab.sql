-- Highest education attained per person and year (an education number).
select
    {{ ra_person_key('RINPERSOONS', 'RINPERSOON') }}          as person_key,
    ra_year                                                   as year,
    trim(cast(OPLNRHB as varchar))                            as education_number
from {{ source('raw_ra', 'hoogsteopltab') }}
