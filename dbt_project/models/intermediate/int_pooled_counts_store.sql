-- The yearly counts pooled periods are summed from, kept across builds: per data year, its
-- numerator and denominator per pooled indicator x region x breakdown category on the target
-- classification (count_cells() over that one year: the same SQL as int_indicator_counts), with
-- the fingerprint of what they were counted from (macros/pooled_store.sql). A year of the build
-- year's pooled period is counted again only when its fingerprint changed (always for a new
-- build year, a reloaded year, a new classification or definitions); every other stored year is
-- carried over as counted. Aggregates only: the records stay in staging.
{{ config(materialized='table') }}
{%- set build = build_year() %}
{%- set target = target_classification_year() %}
{%- set window = pooled_window() %}
{%- set fingerprints = pooled_count_fingerprints(window, target) %}
{%- set stored = pooled_count_store() %}
{%- set kept = pooled_stored_fingerprints(stored) %}
{%- set recount = [] %}
{%- for year, fingerprint in fingerprints.items() if kept.get(year | int) != fingerprint %}
{%- do recount.append((year | int, fingerprint)) %}
{%- endfor %}
{%- if not execute %}
{#- while parsing: every relation a pooled count may read (dbt records the refs) #}
{%- do count_cells(counting_window('pooled', build, target, pooled=window)) %}
{%- endif %}
{%- set columns = pooled_store_columns() %}

{%- for year, fingerprint in recount %}
select
    {%- for name, type in pooled_store_column_types() %}
    cast({{ sql_string(fingerprint) if name == 'fingerprint' else name }} as {{ type }}) as {{ name }}{{ ',' if not loop.last }}
    {%- endfor %}
from ({{ pooled_count_sql(window, year, target) }}) as counted_{{ year }}
union all by name
{%- endfor %}
{%- if stored %}
select {{ columns | join(', ') }}
from {{ stored }}
{%- if recount %}
where data_year not in ({{ recount | map('first') | join(', ') }})
{%- endif %}
{%- else %}
{{ no_rows(pooled_store_column_types()) }}
{%- endif %}
