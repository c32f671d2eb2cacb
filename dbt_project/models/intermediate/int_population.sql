-- Children aged 0-1 on 1 January of the build year per gemeente, in the target classification
-- and, when published, in the build year's own classification. In the target classification a
-- split gemeente's population is allocated by the documented shares, rounded to whole persons
-- per (old gemeente, successor) part; split_part_code names that part ('GMxxxx>GMyyyy').
-- Rows with a NULL gemeente_code hold the population that cannot be placed in a gemeente (it
-- still counts for Nederland).
{%- set build = build_year() %}
{%- set target = target_classification_year() %}

with population as (
    select *
    from {{ ref('stg_population') }}
    where year = {{ build }}
        and age_years between 0 and 1
),

successors as (
    select from_code, to_code, sum(share) as share, bool_or(is_split) as is_split
    from {{ ref('stg_gemeente_code_map') }}
    where from_year = {{ build }} and to_year = {{ target }}
    group by from_code, to_code
),

target_parts as (
    select
        cast({{ target }} as integer)                                        as classification_year,
        s.to_code                                                            as gemeente_code,
        case when s.is_split then p.gemeente_code || '>' || s.to_code end    as split_part_code,
        round(sum(p.population_1_january * coalesce(s.share, 1.0)))          as population,
        count_if(p.population_1_january is null)                             as missing_cells
    from population as p
    left join successors as s
        on p.gemeente_code_status = 'ok' and s.from_code = p.gemeente_code
    group by all
),

own_rows as (
    select
        cast({{ build }} as integer)                                         as classification_year,
        case when gemeente_code_status = 'ok' then gemeente_code end         as gemeente_code,
        cast(null as varchar)                                                as split_part_code,
        sum(population_1_january)                                            as population,
        count_if(population_1_january is null)                               as missing_cells
    from population
    where {{ 'true' if include_own_classification() else 'false' }}
        and {{ build }} <> {{ target }}
    group by all
)

select
    cast({{ build }} as integer)                      as year,
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
group by classification_year, gemeente_code, split_part_code
