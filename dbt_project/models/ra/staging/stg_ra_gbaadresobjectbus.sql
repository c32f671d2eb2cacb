-- Address spells per person.
select
    {{ ra_person_key('RINPERSOONS', 'RINPERSOON') }}          as person_key,
    trim(cast(SOORTOBJECTNUMMER as varchar)) || ':' || trim(cast(RINOBJECTNUMMER as varchar)) as address_key,
    {{ ra_date('GBADATUMAANVANGADRESHOUDING') }}              as starts_on,
    {{ ra_date('GBADATUMEINDEADRESHOUDING') }}                as ends_on
from {{ source('raw_ra', 'gbaadresobjectbus') }}
