-- Which breakdowns each indicator is published with ('total' for every indicator), from the
-- indicator registry (var ksm_indicators, dbt_project.yml).
select cast(indicator_code as varchar) as indicator_code, cast(breakdown as varchar) as breakdown
from (
    values
    {%- for entry in indicator_registry() %}
    {%- set outer = loop %}
    {%- for breakdown in ['total'] + entry.breakdowns %}
    ({{ sql_string(entry.code) }}, {{ sql_string(breakdown) }}){{ ',' if not (outer.last and loop.last) }}
    {%- endfor %}
    {%- endfor %}
) as registry (indicator_code, breakdown)
