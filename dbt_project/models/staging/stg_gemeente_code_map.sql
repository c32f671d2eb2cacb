-- Gemeente code of one classification year -> successor code(s) in a later (or the same) year.
select
    cast(from_year as integer)     as from_year,
    from_code,
    cast(to_year as integer)       as to_year,
    to_code,
    cast(share as double)          as share,
    cast(is_split as boolean)      as is_split
from {{ source('raw', 'gemeente_code_map') }}
