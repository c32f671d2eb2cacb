-- Perined births: English names and types only, every delivery year.
select
    cast(year as integer)                         as year,
    source_file,
    cast(source_row as integer)                   as source_row,
    cast(kind_id as varchar)                      as child_id,
    cast(moeder_id as varchar)                    as mother_id,
    cast(geboortejaar as integer)                 as birth_year,
    gemeente_code,
    gemeente_code_delivered,
    gemeente_code_status,
    gemeente_code_actueel                         as current_gemeente_code,
    gemeente_code_actueel_delivered               as current_gemeente_code_delivered,
    gemeente_code_actueel_status                  as current_gemeente_code_status,
    cast(amww as integer)                         as gestational_age_weeks,
    cast(hoftiezer as double)                     as birthweight_percentile,
    cast(amddd1ond as integer)                    as first_visit_gestational_day,
    cast(sterfte as integer)                      as mortality_code,
    cast(omv as integer)                          as plurality,
    cast(rangnummer as integer)                   as birth_order,
    cast(leeftijd_moeder as integer)              as mother_age,
    cast(pariteit as integer)                     as parity
from {{ source('raw', 'perined') }}
