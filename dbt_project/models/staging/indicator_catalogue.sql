-- One row per indicator: the indicator registry (var ksm_indicators, dbt_project.yml) as a
-- relation, for the `indicators` mart and for units, multipliers, polarity, interval method and
-- disclosure rule in the SQL. The definitions without a suffix are English, the `_nl` ones Dutch.
{%- set text_columns = ['name_nl', 'name_en', 'definition', 'numerator_definition',
                        'denominator_definition', 'definition_nl', 'numerator_definition_nl',
                        'denominator_definition_nl', 'unit', 'quality_note_en', 'quality_note_nl'] %}
{%- set code_columns = ['polarity', 'source', 'phase', 'interval_method', 'disclosure_rule',
                        'record_set', 'numerator', 'denominator', 'edition'] %}

select
    cast(indicator_code as varchar)             as indicator_code,
    {#- a text missing from an entry reads NULL, which the mart's checks catch #}
    {%- for column in text_columns %}
    nullif(cast({{ column }} as varchar), '')   as {{ column }},
    {%- endfor %}
    cast(multiplier as integer)                 as multiplier,
    {%- for column in code_columns %}
    cast({{ column }} as varchar)               as {{ column if column not in ('numerator', 'denominator') else column ~ '_condition' }},
    {%- endfor %}
    cast(sources as varchar)                    as sources,
    cast(pooled as boolean)                     as pooled
from (
    values
    {%- for entry in indicator_registry() %}
    ({{ sql_string(entry.code) }},
        {%- for column in text_columns %} {{ sql_string(entry[column]) }},{% endfor %}
        {{ entry.multiplier | int }},
        {%- for column in code_columns %} {{ sql_string(entry[column]) }},{% endfor %}
        {{ sql_string(entry.sources | join(' ')) }}, {{ 'true' if entry.pooled else 'false' }}){{ ',' if not loop.last }}
    {%- endfor %}
) as registry (indicator_code, {{ (text_columns + ['multiplier'] + code_columns + ['sources', 'pooled']) | join(', ') }})
