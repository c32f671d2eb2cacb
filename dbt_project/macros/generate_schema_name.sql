{#-
  Models land in the schema named by their folder's `+schema` config, exactly: `staging`,
  `intermediate`, `marts` (dbt's default would prefix the target schema, e.g. `main_staging`).
-#}
{% macro generate_schema_name(custom_schema_name, node) -%}
    {%- if custom_schema_name is none -%}
        {{ target.schema }}
    {%- else -%}
        {{ custom_schema_name | trim }}
    {%- endif -%}
{%- endmacro %}
