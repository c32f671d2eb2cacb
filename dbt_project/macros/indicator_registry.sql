{#-
  Readers of the indicator registry (var ksm_indicators in dbt_project.yml, the one place where
  an indicator is defined) and of the breakdown registry (var ksm_breakdowns).

  indicator_registry(): the entries, in registry order, each a dict with every key filled in and
      the overrides of the build's edition of the definitions applied (macros/editions.sql).
  registry_indicators(record_set=none, pooled=none): the codes, optionally of one record set or
      only the pooled ones.
  breakdown_names(): the breakdowns besides 'total' (column breakdown_<name> of a record set).
  breakdown_sources(): {breakdown: raw tables a pooled period needs for it}.
  sql_string(text): a SQL string literal.
-#}

{% macro indicator_registry() -%}
    {%- set entries = [] -%}
    {%- for entry in var('ksm_indicators') -%}
        {%- set filled = {
            'record_set': 'births', 'numerator': 'false', 'denominator': 'true', 'sources': [],
            'pooled': false, 'breakdowns': [], 'interval_method': 'wilson',
            'disclosure_rule': 'min_10_both_outcomes', 'quality_note_en': '', 'quality_note_nl': ''} -%}
        {%- do filled.update(entry) -%}
        {%- do entries.append(with_edition(filled)) -%}
    {%- endfor -%}
    {{ return(entries) }}
{%- endmacro %}

{% macro registry_indicators(record_set=none, pooled=none) -%}
    {%- set codes = [] -%}
    {%- for entry in indicator_registry() -%}
        {%- if (record_set is none or entry.record_set == record_set)
                and (pooled is none or entry.pooled == pooled) -%}
            {%- do codes.append(entry.code) -%}
        {%- endif -%}
    {%- endfor -%}
    {{ return(codes) }}
{%- endmacro %}

{% macro breakdown_names() -%}
    {{ return(var('ksm_breakdowns').keys() | list) }}
{%- endmacro %}

{% macro breakdown_sources() -%}
    {{ return(var('ksm_breakdowns')) }}
{%- endmacro %}

{% macro sql_string(text) -%}
    {{- "'" ~ (text | string).replace("'", "''") ~ "'" -}}
{%- endmacro %}
