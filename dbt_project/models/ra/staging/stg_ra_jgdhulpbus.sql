-- Youth care with its form and validity.
select
    {{ ra_person_key('RINPERSOONS', 'RINPERSOON') }}          as person_key,
    ra_year                                                   as year,
    try_cast(JGDHHULPVORM as integer)                         as care_form,
    {{ ra_date('JGDHGELDIGHEIDBEGINDATUM') }}                 as valid_from,
    {{ ra_date('JGDHGELDIGHEIDEINDDATUM') }}                  as valid_to
from {{ source('raw_ra', 'jgdhulpbus') }}
