-- Numerator and denominator per year of the pooled period ending in the build year, per
-- indicator x region x breakdown category, every year on the TARGET classification:
-- count_cells() over the five-year window of pooled_window() (macros/count_cells.sql, the same
-- SQL as the yearly int_indicator_counts; for the build year the rows equal its
-- target-classification rows, which a dbt test checks). int_indicator_counts_pooled sums the
-- five years; int_pooled_fixed_cells uses the earlier years' rows for disclosure control across
-- periods. Only the indicators and breakdowns pooled_window() finds five complete years for;
-- empty otherwise. Region levels as in int_indicator_counts, without split parts.
{%- set build = build_year() %}
{%- set target = target_classification_year() %}

select
    cast({{ build }} as integer)                                        as year,
    data_year,
    {{ cell_keys() | join(', ') }},
    region_name,
    numerator,
    denominator,
    is_denominator_complete
from ({{ count_cells(counting_window('pooled', build, target, pooled=pooled_window())) }}) as cells
