-- Numerator and denominator per year of the pooled period ending in the build year, per
-- indicator x region x breakdown category, every year on the TARGET classification. The same
-- counting rules as int_indicator_counts (macros/indicator_definitions.sql); for the build
-- year itself the rows equal int_indicator_counts' target-classification rows (a dbt test
-- checks that). int_indicator_counts_pooled sums the five years; int_pooled_fixed_cells uses
-- the earlier years' rows for disclosure control across periods.
-- Only the indicators and breakdowns pooled_window() finds five complete years for; empty
-- otherwise. Region levels as in int_indicator_counts, without split parts: 'gemeente',
-- 'ggd_regio', 'provincie', 'nederland' and the never-published 'unknown_gemeente' bucket.
{%- set build = build_year() %}
{%- set target = target_classification_year() %}
{%- set window = pooled_window() %}
{%- set breakdowns = breakdown_names() %}
{%- set birth_indicators = birth_indicator_definitions() | selectattr(0, 'in', window.indicators) | list %}
{%- set pool_out_of_home = 'out_of_home_0_2' in window.indicators %}

with membership as (
    select * from {{ ref('int_region_membership') }}
    where classification_year = {{ target }}
),

years as (
    select range as year
    from range({{ window.year_from }}, {{ window.year_to }} + 1)
),

eligible as (
    -- (indicator, breakdown) pairs that are pooled
    select indicator_code, breakdown
    from {{ ref('indicator_breakdowns') }}
    where indicator_code in ({{ "'" ~ (window.indicators + ['-']) | join("', '") ~ "'" }})
        and breakdown in ({{ "'" ~ (window.breakdowns + ['-']) | join("', '") ~ "'" }})
),

births as (
    select * from {{ ref('int_births_pooled') }}
),

birth_cells as (
    -- one pass over the records: every breakdown's categories per year and gemeente
    select
        year,
        gemeente_code_target                                            as gemeente_code,
        case
            {%- for b in breakdowns %}
            when grouping(breakdown_{{ b }}) = 0 then '{{ b }}'
            {%- endfor %}
            else 'total'
        end                                                             as breakdown,
        case
            {%- for b in breakdowns %}
            when grouping(breakdown_{{ b }}) = 0 then breakdown_{{ b }}
            {%- endfor %}
            else 'total'
        end                                                             as breakdown_category,
        {%- for code, numerator, denominator in birth_indicators %}
        count_if({{ denominator }})                                     as den_{{ code }},
        count_if(({{ denominator }}) and ({{ numerator }}))             as num_{{ code }},
        {%- endfor %}
        count(*)                                                        as records
    from births
    group by grouping sets (
        (year, gemeente_code_target)
        {%- for b in breakdowns %},
        (year, gemeente_code_target, breakdown_{{ b }})
        {%- endfor %}
    )
),

youth_records as (
    select *
    from {{ ref('stg_youth_protection') }}
    where year between {{ window.year_from }} and {{ window.year_to }}
        and {{ 'true' if pool_out_of_home else 'false' }}
),

youth_harmonised as {{ harmonise_gemeente(
    records='youth_records', key='child_id', code='gemeente_code', status='gemeente_code_status',
    year_column='year', to_year=target) }},

placements as (
    select
        r.year,
        h.gemeente_code_target                                          as gemeente_code,
        count_if(coalesce(r.age_years between 0 and 1 and r.has_residential_care_overlap, false))
                                                                        as numerator
    from youth_records as r
    inner join youth_harmonised as h
        on h.from_year = r.year and h.record_key = r.child_id
    group by all
),

population as (
    select *
    from {{ ref('stg_population') }}
    where year between {{ window.year_from }} and {{ window.year_to }}
        and age_years between 0 and 1
        and {{ 'true' if pool_out_of_home else 'false' }}
),

successors as (
    select from_year, from_code, to_code, sum(share) as share, bool_or(is_split) as is_split
    from {{ ref('stg_gemeente_code_map') }}
    where to_year = {{ target }}
        and from_year between {{ window.year_from }} and {{ window.year_to }}
    group by all
),

population_parts as (
    -- as int_population: a split gemeente's population allocated by share, rounded per part
    select
        p.year,
        s.to_code                                                       as gemeente_code,
        case when s.is_split then p.gemeente_code || '>' || s.to_code end as split_part_code,
        round(sum(p.population_1_january * coalesce(s.share, 1.0)))     as population,
        count_if(p.population_1_january is null)                        as missing_cells
    from population as p
    left join successors as s
        on p.gemeente_code_status = 'ok'
        and s.from_year = p.year
        and s.from_code = p.gemeente_code
    group by all
),

observations as (
    {%- for code, numerator, denominator in birth_indicators %}
    select
        year, gemeente_code, breakdown, breakdown_category, '{{ code }}' as indicator_code,
        num_{{ code }} as numerator, den_{{ code }} as denominator, 0 as missing_denominator_cells
    from birth_cells
    union all
    {%- endfor %}
    select year, gemeente_code, 'total' as breakdown, 'total' as breakdown_category,
        'out_of_home_0_2' as indicator_code, numerator, 0 as denominator, 0 as missing_denominator_cells
    from placements
    union all
    select year, gemeente_code, 'total', 'total', 'out_of_home_0_2', 0, population, missing_cells
    from population_parts
),

gemeente_counts as (
    -- gemeente_code NULL = the unknown-gemeente bucket (counts for Nederland only)
    select
        o.year,
        o.indicator_code,
        o.gemeente_code,
        o.breakdown,
        o.breakdown_category,
        sum(o.numerator)                                                as numerator,
        sum(o.denominator)                                              as denominator,
        sum(o.missing_denominator_cells)                                as missing_denominator_cells
    from observations as o
    inner join eligible as e
        on e.indicator_code = o.indicator_code and e.breakdown = o.breakdown
    group by all
),

region_counts as (
    {%- for level, code_column in [('gemeente', 'gemeente_code'), ('ggd_regio', 'ggd_code'), ('provincie', 'provincie_code')] %}
    select
        g.year, g.indicator_code, '{{ level }}' as region_level, m.{{ code_column }} as region_code,
        g.breakdown, g.breakdown_category,
        sum(g.numerator) as numerator, sum(g.denominator) as denominator,
        sum(g.missing_denominator_cells) as missing_denominator_cells
    from gemeente_counts as g
    inner join membership as m
        on m.gemeente_code = g.gemeente_code
    where m.{{ code_column }} is not null
    group by all
    union all
    {%- endfor %}
    select year, indicator_code, 'nederland', 'NL01', breakdown, breakdown_category,
        sum(numerator), sum(denominator), sum(missing_denominator_cells)
    from gemeente_counts
    group by all
    union all
    select g.year, g.indicator_code, 'unknown_gemeente', 'unknown', g.breakdown, g.breakdown_category,
        sum(g.numerator), sum(g.denominator), sum(g.missing_denominator_cells)
    from gemeente_counts as g
    left join membership as m
        on m.gemeente_code = g.gemeente_code
    where m.gemeente_code is null
    group by all
),

regions as (
    select 'gemeente' as region_level, gemeente_code as region_code, min(gemeente_name) as region_name
    from membership
    group by all
    union all
    select 'ggd_regio', ggd_code, min(ggd_name)
    from membership
    where ggd_code is not null
    group by all
    union all
    select 'provincie', provincie_code, min(provincie_name)
    from membership
    where provincie_code is not null
    group by all
    union all
    select 'nederland', 'NL01', 'Nederland'
    union all
    select 'unknown_gemeente', 'unknown', 'gemeente unknown'
),

categories as (
    select breakdown, breakdown_category from {{ ref('breakdown_categories') }}
    union
    select breakdown, breakdown_category from gemeente_counts
),

frame as (
    select y.year, e.indicator_code, r.region_level, r.region_code, r.region_name,
        e.breakdown, c.breakdown_category
    from years as y
    cross join eligible as e
    cross join regions as r
    inner join categories as c
        on c.breakdown = e.breakdown
)

select
    cast({{ build }} as integer)                                        as year,
    cast(f.year as integer)                                             as data_year,
    f.indicator_code,
    cast({{ target }} as integer)                                       as classification_year,
    f.region_level,
    f.region_code,
    f.region_name,
    f.breakdown,
    f.breakdown_category,
    cast(coalesce(rc.numerator, 0) as bigint)                           as numerator,
    cast(coalesce(rc.denominator, 0) as bigint)                         as denominator,
    coalesce(rc.missing_denominator_cells, 0) = 0                       as is_denominator_complete
from frame as f
left join region_counts as rc
    on rc.year = f.year
    and rc.indicator_code = f.indicator_code
    and rc.region_level = f.region_level
    and rc.region_code = f.region_code
    and rc.breakdown = f.breakdown
    and rc.breakdown_category = f.breakdown_category
