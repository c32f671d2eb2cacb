-- Children aged 0-1 with a youth-protection measure: English names, flags as BOOLEAN.
select
    cast(year as integer)                                as year,
    source_file,
    cast(source_row as integer)                          as source_row,
    cast(kind_id as varchar)                             as child_id,
    cast(jaar as integer)                                as reporting_year,
    gemeente_code,
    gemeente_code_delivered,
    gemeente_code_status,
    cast(leeftijd as integer)                            as age_years,
    {{ flag_to_boolean('residentieel_overlap') }}        as has_residential_care_overlap
from {{ source('raw', 'youth_protection') }}
