{#-
  not_null for several columns in one query (one scan, one dbt node, one Dagster check instead of
  one per column: per-node overhead, not SQL, dominated dbt's time per year). Fails with one row
  per column that has NULLs: the column's name and how many rows.
-#}
{% test not_null_columns(model, column_names) %}
with null_counts as (
    select
    {%- for column in column_names %}
        count(*) filter (where {{ adapter.quote(column) }} is null) as {{ adapter.quote(column) }}{{ "," if not loop.last }}
    {%- endfor %}
    from {{ model }}
)
select column_name, null_rows
from (unpivot null_counts on columns(*) into name column_name value null_rows)
where null_rows > 0
{% endtest %}
