-- Person to household per year.
select
    {{ ra_person_key('RINPERSOONS', 'RINPERSOON') }}          as person_key,
    ra_year                                                   as year,
    {{ ra_person_key('RINPERSOONSHKW', 'RINPERSOONHKW') }}    as household_key
from {{ source('raw_ra', 'koppelpersoonhuishouden') }}
