-- Numerator and denominator per year of the pooled period ending in the build year, per
-- indicator x region x breakdown category, every year on the TARGET classification: the five
-- years' counts of int_pooled_counts_store (count_cells() over each year, the same SQL as the
-- yearly int_indicator_counts; for the build year the rows equal its target-classification
-- rows, which a dbt test checks), framed together: a breakdown category seen in one year gets a
-- 0/0 row in the others, as when the five years were counted in one pass.
-- int_indicator_counts_pooled sums the five years; int_pooled_fixed_cells uses the earlier
-- years' rows for disclosure control across periods. Only the indicators and breakdowns
-- pooled_window() finds five complete years for; empty otherwise. Region levels as in
-- int_indicator_counts, without split parts.
{%- set build = build_year() %}
{%- set window = pooled_window() %}

with stored as (
    select *
    from {{ ref('int_pooled_counts_store') }}
    where {{ 'true' if window.indicators else 'false' }}
        and data_year between {{ window.year_from }} and {{ window.year_to }}
),

cells as (
    select distinct {{ cell_keys() | join(', ') }}, region_name
    from stored
),

data_years as (
    select range as data_year
    from range({{ window.year_from }}, {{ window.year_to }} + 1)
)

select
    cast({{ build }} as integer)                                        as year,
    cast(y.data_year as integer)                                        as data_year,
    {%- for key in cell_keys() %}
    c.{{ key }},
    {%- endfor %}
    c.region_name,
    cast(coalesce(s.numerator, 0) as bigint)                            as numerator,
    cast(coalesce(s.denominator, 0) as bigint)                          as denominator,
    coalesce(s.is_denominator_complete, true)                           as is_denominator_complete
from data_years as y
cross join cells as c
left join stored as s
    on s.data_year = y.data_year and {{ match_on('s', 'c') }}
