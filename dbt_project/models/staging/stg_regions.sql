-- CBS region classification per year (gemeente -> GGD-regio -> provincie).
select
    cast(classification_year as integer)     as classification_year,
    gemeente_code,
    gemeente_name,
    ggd_code,
    ggd_name,
    provincie_code,
    provincie_name
from {{ source('raw', 'regions') }}
