-- CBS microdata linked to each birth: English names, flags as BOOLEAN.
select
    cast(year as integer)                                   as year,
    source_file,
    cast(source_row as integer)                             as source_row,
    cast(kind_id as varchar)                                as child_id,
    cast(jaar as integer)                                   as birth_year,
    cast(inkomen_kwintiel as integer)                       as income_quintile,
    lower(trim(opleiding_moeder))                           as mother_education,
    lower(trim(migratieachtergrond))                        as migration_background,
    {{ flag_to_boolean('problematische_schulden') }}        as has_problematic_debts,
    {{ flag_to_boolean('psychische_problemen') }}           as has_parental_mental_health_problems,
    {{ flag_to_boolean('meervoudig_kwetsbaar') }}           as is_multiply_vulnerable
from {{ source('raw', 'cbs_linked') }}
