{#-
  The two run variables of a yearly build.

  build_year(): the year being built, from the env var KSM_BUILD_YEAR, its one route (`ksm run`
  and Dagster set it; by hand: `KSM_BUILD_YEAR=2023 dbt build`). An env var read at run time,
  not a dbt var: changed --vars make dbt re-parse the whole project, which costs more per year
  than the largest model. Required for every model that reads yearly data: the run stops with a
  clear message when it is missing or not a year.
  While dbt only parses the project (execute is false, e.g. dagster-dbt at import time) it
  returns a placeholder so that parsing works without vars and without a warehouse.

  target_classification_year(): the gemeente classification all figures are harmonised to.
  `--vars '{"classification_year": 2024}'`, or by default the newest classification_year in
  raw.regions. Fails when raw.regions is empty or does not hold the requested year.
-#}

{% macro build_year() -%}
    {%- set raw_year = env_var('KSM_BUILD_YEAR', '') if execute else '' -%}
    {%- if raw_year is none or (raw_year | string | trim) == '' -%}
        {%- if execute -%}
            {{ exceptions.raise_compiler_error(
                "KSM_BUILD_YEAR is not set for model '" ~ (model.name if model is defined and model else '?')
                ~ "'. Build one year at a time, e.g. KSM_BUILD_YEAR=2023 dbt build") }}
        {%- endif -%}
        {{ return(0) }}
    {%- endif -%}
    {%- set year_text = raw_year | string | trim -%}
    {%- if not (year_text.isdigit() and year_text | length == 4) -%}
        {{ exceptions.raise_compiler_error(
            "KSM_BUILD_YEAR must be a four-digit year such as 2023, got '" ~ year_text ~ "'") }}
    {%- endif -%}
    {{ return(year_text | int) }}
{%- endmacro %}


{% macro target_classification_year() -%}
    {#- referenced unconditionally so that dbt records the dependency while parsing -#}
    {%- set regions_relation = source('raw', 'regions') -%}
    {%- set requested = var('classification_year', none) -%}
    {%- if not execute -%}
        {{ return(0) }}
    {%- endif -%}
    {%- if requested is not none and (requested | string | trim) != '' -%}
        {%- set requested_text = requested | string | trim -%}
        {%- if not (requested_text.isdigit() and requested_text | length == 4) -%}
            {{ exceptions.raise_compiler_error(
                "dbt var 'classification_year' must be a four-digit year, got '" ~ requested_text ~ "'") }}
        {%- endif -%}
        {%- set check_sql -%}
            select count(*) from {{ regions_relation }} where classification_year = {{ requested_text | int }}
        {%- endset -%}
        {%- if run_query(check_sql).columns[0].values()[0] == 0 -%}
            {{ exceptions.raise_compiler_error(
                "dbt var 'classification_year' = " ~ requested_text
                ~ " but raw.regions holds no gemeente classification for that year") }}
        {%- endif -%}
        {{ return(requested_text | int) }}
    {%- endif -%}
    {%- set newest_sql -%}
        select max(classification_year) from {{ regions_relation }}
    {%- endset -%}
    {%- set newest = run_query(newest_sql).columns[0].values()[0] -%}
    {%- if newest is none -%}
        {{ exceptions.raise_compiler_error(
            "raw.regions is empty: load the CBS region classification before building a year") }}
    {%- endif -%}
    {{ return(newest | int) }}
{%- endmacro %}


{#- Publish the build year's own classification beside the target one: var
    include_own_classification, else the env var KSM_OWN_CLASSIFICATION (read at run time only, as
    KSM_BUILD_YEAR is, so that dbt's partial parse holds), else true. A boolean: true/false, 1/0,
    yes/no, also as text. -#}
{% macro include_own_classification() -%}
    {%- set value = var('include_own_classification', none) -%}
    {%- if value is none and execute -%}
        {%- set value = env_var('KSM_OWN_CLASSIFICATION', '') or none -%}
    {%- endif -%}
    {%- if value is none -%}
        {{ return(true) }}
    {%- endif -%}
    {%- if value is string -%}
        {{ return(value | trim | lower in ['true', '1', 'yes', 'y', 'on']) }}
    {%- endif -%}
    {{ return(value is true or value == 1) }}
{%- endmacro %}
