{#- Small typing helpers for staging: delivered codes to BOOLEAN. Anything else becomes NULL. -#}

{% macro flag_to_boolean(column) -%}
    (case trim(cast({{ column }} as varchar)) when '1' then true when '0' then false end)
{%- endmacro %}

{% macro ja_nee_to_boolean(column) -%}
    (case lower(trim(cast({{ column }} as varchar))) when 'ja' then true when 'nee' then false end)
{%- endmacro %}

{#-
  A deterministic pseudo-random number in [0, 1) from a text key (first 32 bits of its MD5).
  Stable across DuckDB versions and runs, unlike hash(); used to allocate records of split
  gemeenten over their successors by the documented shares.
-#}
{% macro unit_interval_hash(key) -%}
    (cast(('0x' || left(md5(cast({{ key }} as varchar)), 8)) as bigint) / 4294967296.0)
{%- endmacro %}

{#- A select of no rows with the given (name, SQL type) columns: the empty side of a model
    whose source does not exist yet. -#}
{% macro no_rows(columns) -%}
    select
    {%- for name, type in columns %}
        cast(null as {{ type }}) as {{ name }}{{ ',' if not loop.last }}
    {%- endfor %}
    where false
{%- endmacro %}
