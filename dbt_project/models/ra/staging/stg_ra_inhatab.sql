-- Household income per year: percentile of standardised income.
select
    {{ ra_person_key('RINPERSOONSHKW', 'RINPERSOONHKW') }}    as household_key,
    ra_year                                                   as year,
    try_cast(INHP100HGEST as integer)                         as income_percentile
from {{ source('raw_ra', 'inhatab') }}
