{#-
  The keys of a cell, in one list, and joins on them.

  cell_keys(): the columns that, with the period (or data year), identify a counted cell.
  match_on(a, b, columns=cell_keys()): "a.c = b.c and ..." for every column.
-#}

{% macro cell_keys() -%}
    {{ return(['indicator_code', 'classification_year', 'region_level', 'region_code', 'breakdown',
               'breakdown_category']) }}
{%- endmacro %}

{% macro match_on(a, b, columns=none) -%}
    {%- for column in (columns if columns is not none else cell_keys()) -%}
        {{ a }}.{{ column }} = {{ b }}.{{ column }}{% if not loop.last %} and {% endif %}
    {%- endfor -%}
{%- endmacro %}
