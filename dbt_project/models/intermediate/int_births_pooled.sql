-- Births of the 5-year pooled period ending in the build year (pooled_window()), one row per
-- child, with the gemeente of EVERY year harmonised to the target classification and the
-- indicator flags and breakdown categories of birth_records(): the record set 'births' of a
-- pooled window (macros/record_sets.sql). Empty when raw does not hold all five years of Perined
-- (or the code map does not reach the target classification from each).
-- A view, not a table: int_pooled_counts_by_year reads it once, and writing five years of
-- births to a table cost more than its two tests reading the view again (docs/performance.md).
{{ config(materialized='view') }}
{%- set target = target_classification_year() %}
{%- set window = pooled_window() %}

select *
from (
    {%- if window.has_births %}
    {{ birth_records(window.year_from, window.year_to, target) }}
    {%- else %}
    {{ birth_records(window.year_to, window.year_to, target) }}
    {%- endif %}
)
where {{ 'true' if window.has_births else 'false' }}
