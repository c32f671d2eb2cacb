-- Medicines dispensed per person and year (ATC4).
select
    {{ ra_person_key('RINPERSOONS', 'RINPERSOON') }}          as person_key,
    ra_year                                                   as year,
    upper(trim(cast(ATC4 as varchar)))                        as atc4
from {{ source('raw_ra', 'medicijntab') }}
