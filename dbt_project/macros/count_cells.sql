{#-
  The counting engine: numerator and denominator per data year x indicator x published
  classification x region x breakdown category, for a counting window. The yearly cells
  (int_indicator_counts) and the pooled period's (int_pooled_counts_by_year) are this one SQL:
  a year is a one-year window.

  counting_window(kind, build, target, ...): kind 'year' = the build year in every published classification (the
  target one and, with include_own_classification, the build year's own), with split parts and
  every indicator of the registry; kind 'pooled' = the five years of pooled_window() on the
  target classification, its pooled indicators and breakdowns, every year framed.

  count_cells(window) returns the query (columns data_year, indicator_code, classification_year,
  region_level, region_code, region_name, breakdown, breakdown_category, numerator, denominator,
  is_denominator_complete, unanswered). The rules:
  - A row of an indicator's record set (macros/record_sets.sql) is in its denominator when the
    registry's denominator condition is true (it adds cell_persons: 1 per record, the population
    of a population cell), in the numerator when the numerator condition is true as well; a
    NULL condition counts as false. Census record sets also count `unanswered`: rows whose
    numerator condition is NULL, whatever the denominator says.
  - Regions (region_frame): a gemeente counts its records; GGD-regio and provincie sum their
    member gemeenten; Nederland sums every record, the unknown-gemeente bucket included
    (region_level 'unknown_gemeente', never published); split parts ('split_part', never
    published) count the part of a split gemeente allocated to each successor.
  - Every region x category of an indicator's breakdowns gets a row (0/0 when empty): with a
    yearly window for every indicator with data that year (a question nobody answered was not
    asked), with a pooled window for every year and pooled indicator.
-#}

{% macro counting_window(kind, build, target, own_classification=false, pooled=none) -%}
    {#- build, target, own_classification and pooled (pooled_window()) come from the model, so
        that a dbt unit test can override build_year(), target_classification_year() and
        pooled_window() there -#}
    {%- if kind == 'year' -%}
        {{ return({'kind': 'year', 'year_from': build, 'year_to': build, 'target': target,
                   'own_classification': own_classification, 'split_parts': true,
                   'indicators': registry_indicators(), 'breakdowns': ['total'] + breakdown_names(),
                   'frame_every_year': false}) }}
    {%- endif -%}
    {#- while parsing, every record set a pooled period may read (dbt records the refs) -#}
    {%- set indicators = pooled.indicators if execute else registry_indicators(pooled=true) -%}
    {{ return({'kind': 'pooled', 'year_from': pooled.year_from, 'year_to': pooled.year_to,
               'target': target, 'own_classification': false, 'split_parts': false,
               'indicators': indicators, 'breakdowns': pooled.breakdowns if execute else ['total'] + breakdown_names(),
               'frame_every_year': true}) }}
{%- endmacro %}

{% macro count_cells(window) -%}
{%- set entries = indicator_registry() | selectattr('code', 'in', window.indicators) | list %}
{%- set record_sets = entries | map(attribute='record_set') | unique | list %}

with membership as (
    select * from {{ ref('int_region_membership') }}
    where {{ 'true' if window.own_classification else 'classification_year = ' ~ window.target }}
),

classifications as (
    select distinct classification_year from membership
),

split_sources as (
    -- split gemeenten of the build year's classification, when that classification is published
    select distinct from_code
    from {{ ref('stg_gemeente_code_map') }}
    where {{ 'true' if window.split_parts else 'false' }}
        and from_year = {{ window.year_to }} and to_year = {{ window.target }} and is_split
        and {{ window.year_to }} <> {{ window.target }}
        and exists (select 1 from classifications where classification_year = {{ window.year_to }})
),
{%- for record_set in record_sets %}
{%- set set_entries = entries | selectattr('record_set', 'equalto', record_set) | list %}
{%- set breakdowns = [] %}
{%- for entry in set_entries %}{% for b in entry.breakdowns if b in window.breakdowns and b not in breakdowns %}{% do breakdowns.append(b) %}{% endfor %}{% endfor %}

records_{{ record_set }} as (
    {{ record_set_rows(record_set, window) }}
),

cells_{{ record_set }} as (
    -- one pass over the records: every breakdown's categories per year, classification and gemeente
    select
        cell_year, cell_classification_year, cell_gemeente_code, cell_split_part_code,
        {{ breakdown_of_grouping_set(breakdowns) }},
        {%- for e in set_entries %}
        count_if(({{ e.denominator }}) and ({{ e.numerator }}))                                  as num_{{ e.code }},
        sum(case when ({{ e.denominator }}) then coalesce(cell_persons, 0) else 0 end)         as den_{{ e.code }},
        sum(case when ({{ e.denominator }}) then coalesce(cell_missing_cells, 0) else 0 end)   as mis_{{ e.code }},
        {{ 'count_if((' ~ e.numerator ~ ') is null)' if record_set_is_census(record_set) else '0' }}  as una_{{ e.code }},
        {%- endfor %}
        count(*)                                                                               as records
    from records_{{ record_set }}
    group by grouping sets (
        (cell_year, cell_classification_year, cell_gemeente_code, cell_split_part_code)
        {%- for b in breakdowns %},
        (cell_year, cell_classification_year, cell_gemeente_code, cell_split_part_code, breakdown_{{ b }})
        {%- endfor %}
    )
),
{%- endfor %}

gemeente_counts as (
    -- one row per year, indicator, classification, gemeente (NULL: the unknown-gemeente
    -- bucket), split part and breakdown category of the indicator
    {%- for e in entries %}
    select
        cell_year as data_year, '{{ e.code }}' as indicator_code, cell_classification_year as classification_year,
        cell_gemeente_code as gemeente_code, cell_split_part_code as split_part_code, breakdown, breakdown_category,
        num_{{ e.code }} as numerator, den_{{ e.code }} as denominator,
        mis_{{ e.code }} as missing_denominator_cells, una_{{ e.code }} as unanswered
    from cells_{{ e.record_set }}
    where breakdown in ('{{ (['total'] + e.breakdowns) | select('in', window.breakdowns) | join("', '") }}')
    union all
    {%- endfor %}
    select
        cast(null as bigint) as data_year, cast(null as varchar) as indicator_code,
        cast(null as integer) as classification_year, cast(null as varchar) as gemeente_code,
        cast(null as varchar) as split_part_code, cast(null as varchar) as breakdown,
        cast(null as varchar) as breakdown_category, 0 as numerator, 0 as denominator,
        0 as missing_denominator_cells, 0 as unanswered
    where false
),

indicator_breakdowns as (
    select * from (values
        {%- for e in entries %}{% for b in (['total'] + e.breakdowns) | select('in', window.breakdowns) %}
        ('{{ e.code }}', '{{ b }}'),
        {%- endfor %}{% endfor %}
        (cast(null as varchar), cast(null as varchar))
    ) as t (indicator_code, breakdown)
    where indicator_code is not null
),

indicator_years as (
    {%- if window.frame_every_year %}
    select y.range as data_year, i.indicator_code, c.classification_year
    from range({{ window.year_from }}, {{ window.year_to }} + 1) as y
    cross join (select distinct indicator_code from indicator_breakdowns) as i
    cross join classifications as c
    {%- else %}
    -- a question nobody answered (left empty for every gemeente) was not asked: no rows
    select distinct data_year, indicator_code, classification_year
    from gemeente_counts
    where numerator > 0 or denominator > 0
    {%- endif %}
),

{{ region_frame(window) }}
{%- endmacro %}

{#- The breakdown and category of a row of a grouping-sets query over breakdown_<name> columns. -#}
{% macro breakdown_of_grouping_set(breakdowns) -%}
    {%- if not breakdowns %}
        'total' as breakdown, 'total' as breakdown_category
    {%- else %}
        case
            {%- for b in breakdowns %}
            when grouping(breakdown_{{ b }}) = 0 then '{{ b }}'
            {%- endfor %}
            else 'total'
        end                                                                                    as breakdown,
        case
            {%- for b in breakdowns %}
            when grouping(breakdown_{{ b }}) = 0 then breakdown_{{ b }}
            {%- endfor %}
            else 'total'
        end                                                                                    as breakdown_category
    {%- endif %}
{%- endmacro %}
