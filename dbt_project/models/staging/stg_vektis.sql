-- Vektis maternity-care claims per live birth: English names, flags as BOOLEAN.
select
    cast(year as integer)                                as year,
    source_file,
    cast(source_row as integer)                          as source_row,
    cast(kind_id as varchar)                             as child_id,
    cast(jaar as integer)                                as birth_year,
    {{ flag_to_boolean('kraamzorg_declaratie') }}        as has_maternity_care_claim,
    {{ flag_to_boolean('lange_opname') }}                as has_long_hospital_stay
from {{ source('raw', 'vektis') }}
