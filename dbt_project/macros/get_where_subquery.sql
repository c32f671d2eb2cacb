{#-
  Year-scoped tests. Generic tests on yearly tables are filtered with
      config: {where: "year_to = {{ var('year', '__build_year__') }}"}
  dbt renders that `where` while PARSING, when no vars may be given (dagster-dbt parses at
  import time), so the placeholder default keeps parsing working; this override of dbt's
  default__get_where_subquery replaces the placeholder with build_year() when the test runs,
  so a test run without --vars fails loudly instead of silently testing nothing.
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
