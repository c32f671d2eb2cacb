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
{%- set target = target_classification_year() %}
{%- set window = pooled_window() %}

with stored as (
    -- the store was brought up to date for these years by this build (its parent)
    select *
    from {{ ref('int_pooled_counts_store') }}
    where {{ 'true' if window.indicators else 'false' }}
        and data_year between {{ window.year_from }} and {{ window.year_to }}
        and classification_year = {{ target }}
),

-- a year's stored frame holds every indicator x region for each breakdown category seen that
-- year (count_cells), so the rows to add are those of the categories the year lacks
year_categories as (
    select distinct data_year, breakdown, breakdown_category
    from stored
),

missing_categories as (
    select y.range as data_year, c.breakdown, c.breakdown_category
    from range({{ window.year_from }}, {{ window.year_to }} + 1) as y
    cross join (select distinct breakdown, breakdown_category from year_categories) as c
    where not exists (
        select 1 from year_categories as k
        where k.data_year = y.range and k.breakdown = c.breakdown and k.breakdown_category = c.breakdown_category
    )
),

framed as (
    select data_year, {{ cell_keys() | join(', ') }}, region_name, numerator, denominator,
        is_denominator_complete
    from stored
    union all
    select distinct m.data_year, {% for key in cell_keys() %}s.{{ key }}, {% endfor %}s.region_name,
        0, 0, true
    from missing_categories as m
    inner join stored as s
        on s.breakdown = m.breakdown and s.breakdown_category = m.breakdown_category
)

select
    cast({{ build }} as integer)                                        as year,
    cast(data_year as integer)                                          as data_year,
    {{ cell_keys() | join(', ') }},
    region_name,
    cast(numerator as bigint)                                           as numerator,
    cast(denominator as bigint)                                         as denominator,
    is_denominator_complete
from framed
