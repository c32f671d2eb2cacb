{#-
  The 5-year pooled period that ends in the build year ('2020-2024' for a 2024 build).

  pooled_window() returns a dict:
    year_from, year_to  the period (build year - 4 .. build year)
    period              its label, e.g. '2020-2024'
    sources             {raw table: true when it holds all five years}
    indicators          record-level indicators whose sources hold all five years
    breakdowns          breakdowns whose categories are known for all five years
    has_births          the birth indicators can be pooled at all

  A period is pooled only when ALL five years of record data are in raw and raw.gemeente_code_map
  maps every one of the five years' classifications to the target classification (every
  figure is on the target classification). Which indicators are pooled and what each needs
  comes from the indicator registry (var ksm_indicators: pooled, sources), what each breakdown
  needs from var ksm_breakdowns: an indicator or breakdown is pooled when all five years of
  each of its sources are there. The questionnaire indicators are about gemeenten, not persons,
  and are not pooled (pooled: false).

  While dbt only parses (execute is false) it returns an empty window.
-#}
{% macro pooled_period_length() -%}
    {{ return(5) }}
{%- endmacro %}

{% macro pooled_window() -%}
    {%- set length = pooled_period_length() -%}
    {%- set needs = {} -%}
    {%- for entry in indicator_registry() if entry.pooled -%}
        {%- do needs.update({entry.code: entry.sources}) -%}
    {%- endfor -%}
    {%- set breakdown_needs = {'total': []} -%}
    {%- do breakdown_needs.update(breakdown_sources()) -%}
    {%- set tables = [] -%}
    {%- for sources in (needs.values() | list) + (breakdown_needs.values() | list) -%}
        {%- for table in sources if table not in tables -%}
            {%- do tables.append(table) -%}
        {%- endfor -%}
    {%- endfor -%}
    {#- referenced unconditionally so that dbt records the dependencies while parsing -#}
    {%- set relations = {} -%}
    {%- for table in tables -%}
        {%- do relations.update({table: source('raw', table)}) -%}
    {%- endfor -%}
    {%- set code_map = source('raw', 'gemeente_code_map') -%}
    {%- set build = build_year() -%}
    {%- set first = build - length + 1 -%}
    {%- set window = {'year_from': first, 'year_to': build, 'period': first ~ '-' ~ build,
                      'sources': {}, 'indicators': [], 'breakdowns': [], 'has_births': false} -%}
    {%- if not execute -%}
        {{ return(window) }}
    {%- endif -%}
    {%- set target = target_classification_year() -%}
    {%- set check_sql -%}
        {%- for table in tables %}
        select '{{ table }}' as source, count(distinct year) as years
        from {{ relations[table] }}
        where year between {{ first }} and {{ build }}
        union all
        {%- endfor %}
        select 'classification', count(distinct from_year)
        from {{ code_map }}
        where to_year = {{ target }} and from_year between {{ first }} and {{ build }}
    {%- endset -%}
    {%- set complete = {} -%}
    {%- for row in run_query(check_sql).rows -%}
        {%- do complete.update({row[0]: (row[1] | int) == length}) -%}
    {%- endfor -%}
    {%- do window.update({'sources': complete}) -%}
    {%- if not complete['classification'] -%}
        {{ return(window) }}
    {%- endif -%}

    {%- set complete_sources = [] -%}
    {%- for source_name, is_complete in complete.items() if is_complete -%}
        {%- do complete_sources.append(source_name) -%}
    {%- endfor -%}
    {%- set indicators = [] -%}
    {%- for indicator, sources in needs.items() -%}
        {%- if sources | reject('in', complete_sources) | list | length == 0 -%}
            {%- do indicators.append(indicator) -%}
        {%- endif -%}
    {%- endfor -%}
    {%- set breakdowns = [] -%}
    {%- for breakdown, sources in breakdown_needs.items() -%}
        {%- if sources | reject('in', complete_sources) | list | length == 0 -%}
            {%- do breakdowns.append(breakdown) -%}
        {%- endif -%}
    {%- endfor -%}
    {%- do window.update({'indicators': indicators, 'breakdowns': breakdowns,
                          'has_births': complete.get('perined', false)}) -%}
    {{ return(window) }}
{%- endmacro %}
