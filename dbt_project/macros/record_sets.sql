{#-
  Record sets: the rows an indicator is counted over (its `record_set` in the indicator
  registry), placed in the published classifications of a counting window (count_cells).

  record_set_rows(name, window) returns one row per record and published classification with
  the record's own columns (which the registry's numerator and denominator conditions read) and:
    cell_year                  the record's year
    cell_classification_year   a classification the window publishes
    cell_gemeente_code         the record's gemeente in it; NULL = the unknown-gemeente bucket
    cell_split_part_code       'GMold>GMnew' for the part of a split gemeente allocated to a
                               successor (target classification, yearly window only), else NULL
    cell_persons               persons the row adds to a denominator it is in
    cell_missing_cells         population cells CBS withheld (an incomplete denominator)
  It reads the CTEs `classifications` and `split_sources` of count_cells.

  The record sets:
    births          int_births (a year) or int_births_pooled (the years of a pooled period):
                    one row per child, twins counted per child; persons 1
    questionnaire   int_questionnaire: one row per gemeente asked (a census: count_cells also
                    counts the rows whose answer is missing, column unanswered); persons 1
    children_0_1    the year's youth-protection records (persons 0: the children are in the
                    population already) plus the CBS population cells of children aged 0-1
                    (persons: that population, allocated to split parts by share)
-#}

{% macro record_set_is_census(name) -%}
    {{ return(name == 'questionnaire') }}
{%- endmacro %}

{% macro record_set_rows(name, window) -%}
    {%- set yearly = window.kind == 'year' -%}
    {%- if name == 'births' -%}
        {{ placed_records(ref('int_births') if yearly else ref('int_births_pooled'), window) }}
    {%- elif name == 'questionnaire' -%}
        {{ placed_records(ref('int_questionnaire'), window) }}
    {%- elif name == 'children_0_1' -%}
        {%- set youth = ref('int_youth_protection') if yearly else
            '(' ~ youth_protection_records(window.year_from, window.year_to, window.target) ~ ')' -%}
        {%- set population = ref('int_population') if yearly else
            '(' ~ population_0_1(window.year_from, window.year_to, window.target, false) ~ ')' -%}
        {{ placed_records(youth, window, persons='0') }}
        union all by name
        select
            p.year                                                          as cell_year,
            p.classification_year                                           as cell_classification_year,
            p.gemeente_code                                                 as cell_gemeente_code,
            case when sp.from_code is not null then p.split_part_code end   as cell_split_part_code,
            false                                                           as is_out_of_home_placement,
            p.population_0_1                                                as cell_persons,
            p.missing_cells                                                 as cell_missing_cells
        from {{ population }} as p
        inner join classifications as c
            on c.classification_year = p.classification_year
        left join split_sources as sp
            on p.split_part_code like sp.from_code || '>%'
    {%- else -%}
        {{ exceptions.raise_compiler_error("indicator registry: unknown record_set '" ~ name ~ "'") }}
    {%- endif -%}
{%- endmacro %}

{#- Records with gemeente_code_own (the year's own classification, NULL unless the code is valid)
    and gemeente_code_target, one row per published classification. -#}
{% macro placed_records(relation, window, persons='1') -%}
    select
        r.*,
        r.year                                                              as cell_year,
        c.classification_year                                               as cell_classification_year,
        case when c.classification_year = {{ window.target }}
            then r.gemeente_code_target else r.gemeente_code_own end        as cell_gemeente_code,
        case when c.classification_year = {{ window.target }} and sp.from_code is not null
            then r.gemeente_code_own || '>' || r.gemeente_code_target end   as cell_split_part_code,
        {{ persons }}                                                       as cell_persons,
        0                                                                   as cell_missing_cells
    from {{ relation }} as r
    cross join classifications as c
    left join split_sources as sp
        on sp.from_code = r.gemeente_code_own and r.gemeente_code_target is not null
    -- the window's years only: a pooled year is counted from the five-year record view
    where r.year between {{ window.year_from }} and {{ window.year_to }}
{%- endmacro %}
