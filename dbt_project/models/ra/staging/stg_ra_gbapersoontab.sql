-- Persons: birth date and migration background.
select
    {{ ra_person_key('RINPERSOONS', 'RINPERSOON') }}          as person_key,
    try_cast(GBAGEBOORTEJAAR as integer)                      as birth_year,
    try_cast(GBAGEBOORTEMAAND as integer)                     as birth_month,
    {{ ra_optional(source('raw_ra', 'gbapersoontab'), 'GBAGEBOORTEDAG', 'integer') }} as birth_day,
    nullif(trim(cast(GBAHERKOMSTGROEPERING as varchar)), '')  as origin_country_code
from {{ source('raw_ra', 'gbapersoontab') }}
