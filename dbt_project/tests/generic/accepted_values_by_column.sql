{#-
  accepted_values for several columns in one dbt node: `values_by_column` maps each column to
  its accepted values (numbers unquoted, text quoted). NULLs pass, as with dbt's accepted_values.
  Fails with one row per unexpected value: the column, the value as text and how many rows.
-#}
{% test accepted_values_by_column(model, values_by_column) %}
{%- for column, values in values_by_column.items() %}
select '{{ column }}' as column_name, cast({{ adapter.quote(column) }} as varchar) as unexpected_value, count(*) as n_rows
from {{ model }}
where {{ adapter.quote(column) }} is not null
  and {{ adapter.quote(column) }} not in (
    {%- for value in values -%}
        {%- if value is number -%}{{ value }}{%- else -%}'{{ value | replace("'", "''") }}'{%- endif -%}{{ ", " if not loop.last }}
    {%- endfor -%})
group by all
{{ "union all" if not loop.last }}
{%- endfor %}
{% endtest %}
