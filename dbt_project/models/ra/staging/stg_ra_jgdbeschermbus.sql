-- Youth-protection measures with their validity.
select
    {{ ra_person_key('RINPERSOONS', 'RINPERSOON') }}          as person_key,
    ra_year                                                   as year,
    try_cast(JGDBMAATREGEL as integer)                        as measure,
    {{ ra_date('JGDBGELDIGHEIDBEGINDATUM') }}                 as valid_from,
    {{ ra_date('JGDBGELDIGHEIDEINDDATUM') }}                  as valid_to
from {{ source('raw_ra', 'jgdbeschermbus') }}
