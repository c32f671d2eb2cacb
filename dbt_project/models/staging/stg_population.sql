-- CBS population on 1 January by gemeente and age: English names and types.
select
    cast(year as integer)                                as year,
    source_file,
    cast(source_row as integer)                          as source_row,
    RegioS                                               as gemeente_code,
    RegioS_delivered                                     as gemeente_code_delivered,
    RegioS_status                                        as gemeente_code_status,
    trim(Perioden)                                       as period_code,
    try_cast(left(trim(Perioden), 4) as integer)         as period_year,
    cast(Leeftijd as integer)                            as age_years,
    cast(BevolkingOp1Januari_1 as bigint)                as population_1_january
from {{ source('raw', 'population') }}
