{#-
  Year-scoped tests. Generic tests on yearly tables are filtered with
      config: {where: "year_to = __build_year__"}
  The build year is known only at run time (the env var KSM_BUILD_YEAR, read by build_year()),
  so the `where` names a placeholder; this override of dbt's default__get_where_subquery
  replaces it with build_year() when the test runs, so a test run without a build year fails
  loudly instead of silently testing nothing.
-#}
{% macro default__get_where_subquery(relation) -%}
    {%- set where = config.get('where', '') -%}
    {%- if where -%}
        {%- set where = (where | string).replace('__build_year__', build_year() | string) -%}
        {%- set filtered -%}
            (select * from {{ relation }} where {{ where }}) dbt_subquery
        {%- endset -%}
        {%- do return(filtered) -%}
    {%- else -%}
        {%- do return(relation) -%}
    {%- endif -%}
{%- endmacro %}
