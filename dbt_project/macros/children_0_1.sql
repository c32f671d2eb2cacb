{#-
  The two halves of record set children_0_1, for the years year_from..year_to on the target
  classification (int_youth_protection and int_population for the build year; count_cells
  inline for a pooled period).

  youth_protection_records(): youth-protection records of children, gemeente harmonised;
  is_out_of_home_placement: aged 0-1 with a measure overlapping residential youth care.

  population_0_1(): children aged 0-1 on 1 January per year and gemeente, in the target
  classification and (own=true, not when the year is the target) in the year's own one. In the
  target classification a split gemeente's population is allocated by the documented shares,
  rounded to whole persons per (old gemeente, successor) part; split_part_code names that part
  ('GMxxxx>GMyyyy'). A NULL gemeente_code holds population that cannot be placed in a gemeente
  (it still counts for Nederland); missing_cells counts population cells CBS withheld.
-#}

{% macro youth_protection_records(year_from, year_to, target) -%}
with records as (
    select *
    from {{ ref('stg_youth_protection') }}
    where year between {{ year_from }} and {{ year_to }}
),

harmonised as {{ harmonise_gemeente(
    records='records', key='child_id', code='gemeente_code', status='gemeente_code_status',
    year_column='year', to_year=target) }}

select
    r.year,
    r.source_file,
    r.source_row,
    r.child_id,
    r.gemeente_code,
    r.gemeente_code_status,
    {{ placed_gemeente_columns('r', 'h', target) }},
    r.age_years,
    r.has_residential_care_overlap,
    coalesce(r.age_years between 0 and 1 and r.has_residential_care_overlap, false)
                                                                            as is_out_of_home_placement
from records as r
inner join harmonised as h
    on h.from_year = r.year and h.record_key = r.child_id
{%- endmacro %}

{% macro population_0_1(year_from, year_to, target, own) -%}
with population as (
    select *
    from {{ ref('stg_population') }}
    where year between {{ year_from }} and {{ year_to }}
        and age_years between 0 and 1
),

successors as (
    select from_year, from_code, to_code, sum(share) as share, bool_or(is_split) as is_split
    from {{ ref('stg_gemeente_code_map') }}
    where from_year between {{ year_from }} and {{ year_to }} and to_year = {{ target }}
    group by from_year, from_code, to_code
),

target_parts as (
    select
        p.year,
        cast({{ target }} as integer)                                        as classification_year,
        s.to_code                                                            as gemeente_code,
        case when s.is_split then p.gemeente_code || '>' || s.to_code end    as split_part_code,
        round(sum(p.population_1_january * coalesce(s.share, 1.0)))          as population,
        count_if(p.population_1_january is null)                             as missing_cells
    from population as p
    left join successors as s
        on p.gemeente_code_status = 'ok' and s.from_year = p.year and s.from_code = p.gemeente_code
    group by all
),

own_rows as (
    select
        year,
        cast(year as integer)                                                as classification_year,
        case when gemeente_code_status = 'ok' then gemeente_code end         as gemeente_code,
        cast(null as varchar)                                                as split_part_code,
        sum(population_1_january)                                            as population,
        count_if(population_1_january is null)                               as missing_cells
    from population
    where {{ 'true' if own else 'false' }}
        and year <> {{ target }}
    group by all
)

select
    cast(year as integer)                            as year,
    classification_year,
    gemeente_code,
    split_part_code,
    cast(sum(population) as bigint)                   as population_0_1,
    cast(sum(missing_cells) as integer)               as missing_cells
from (
    select * from target_parts
    union all
    select * from own_rows
)
group by year, classification_year, gemeente_code, split_part_code
{%- endmacro %}
