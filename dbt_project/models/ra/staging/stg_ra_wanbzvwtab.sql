-- Persons listed for six months or more of unpaid health-insurance premium, per year.
select
    {{ ra_person_key('RINPERSOONS', 'RINPERSOON') }}          as person_key,
    ra_year                                                   as year
from {{ source('raw_ra', 'wanbzvwtab') }}
