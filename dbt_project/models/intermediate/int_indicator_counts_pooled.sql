-- Cells of the 5-year pooled period ending in the build year ('2020-2024'): the sums over the
-- five years of int_pooled_counts_by_year, on the target classification, with the same columns
-- as int_indicator_counts so that disclosure control treats both alike. A cell's denominator
-- is complete only when it is complete in every year. Empty when the period cannot be pooled
-- (see pooled_window()).
{%- set window = pooled_window() %}

select
    year,
    '{{ window.period }}'                                               as period,
    cast({{ window.year_from }} as integer)                             as year_from,
    cast({{ window.year_to }} as integer)                               as year_to,
    {{ cell_keys() | join(', ') }},
    region_name,
    cast(sum(numerator) as bigint)                                      as numerator,
    cast(sum(denominator) as bigint)                                    as denominator,
    bool_and(is_denominator_complete)                                   as is_denominator_complete,
    concat_ws('|', '{{ window.period }}', classification_year, indicator_code, region_code,
        breakdown, breakdown_category)                                  as cell_id
from {{ ref('int_pooled_counts_by_year') }}
group by year, {{ cell_keys() | join(', ') }}, region_name
