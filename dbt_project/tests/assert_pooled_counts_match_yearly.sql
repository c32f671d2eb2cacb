-- The pooled period is counted like the yearly figures: the build year's row of
-- int_pooled_counts_by_year equals int_indicator_counts (target classification) for every
-- pooled cell; Nederland's births-based denominator of big2 equals the births counted straight
-- from staging for each of the five years (a stale or missing year of the store of pooled
-- counts shows there); every valid gemeente code of the pooled births reaches the target classification;
-- and the pooled cells are the sums of the years.
{%- set build = build_year() %}
{%- set target = target_classification_year() %}
{%- set window = pooled_window() %}

with by_year as (
    select * from {{ ref('int_pooled_counts_by_year') }}
),

yearly as (
    select * from {{ ref('int_indicator_counts') }}
    where year = {{ build }} and classification_year = {{ target }}
),

births as (
    select year, count(*) as births
    from {{ ref('stg_perined') }}
    where year between {{ build - 4 }} and {{ build }}
        and {{ is_counted_birth() }}
    group by year
),

codes as (
    -- the valid gemeente codes of the pooled births (a code without a code-map row to the
    -- target would leave its births without a gemeente: harmonise_gemeente's 'not_in_code_map')
    select distinct year, gemeente_code
    from {{ ref('stg_perined') }}
    where {{ 'true' if window.has_births else 'false' }}
        and year between {{ window.year_from }} and {{ window.year_to }}
        and gemeente_code_status = 'ok'
        and {{ is_counted_birth() }}
),

pooled_sums as (
    select indicator_code, region_code, breakdown, breakdown_category,
        sum(numerator) as numerator, sum(denominator) as denominator
    from by_year
    group by all
)

select 'build year differs from int_indicator_counts' as problem, b.indicator_code, b.region_code,
    b.breakdown, b.breakdown_category, b.numerator, b.denominator, y.numerator as expected_numerator,
    y.denominator as expected_denominator
from by_year as b
left join yearly as y
    on {{ match_on('y', 'b', ['indicator_code', 'region_code', 'breakdown', 'breakdown_category']) }}
where b.data_year = {{ build }}
    and (y.numerator is distinct from b.numerator or y.denominator is distinct from b.denominator
        or y.is_denominator_complete is distinct from b.is_denominator_complete)
union all
select 'Nederland big2 denominator differs from the births in staging', 'big2', 'NL01', 'total',
    cast(b.data_year as varchar), null, b.denominator, null, s.births
from by_year as b
left join births as s
    on s.year = b.data_year
where b.indicator_code = 'big2' and b.region_code = 'NL01' and b.breakdown = 'total'
    and b.denominator is distinct from s.births
union all
select 'pooled births with a valid code that does not reach the target classification', null,
    c.gemeente_code, null, cast(c.year as varchar), null, null, null, null
from codes as c
where not exists (
    select 1 from {{ ref('stg_gemeente_code_map') }} as m
    where m.from_year = c.year and m.from_code = c.gemeente_code and m.to_year = {{ target }}
)
union all
select 'pooled cell is not the sum of its years', c.indicator_code, c.region_code, c.breakdown,
    c.breakdown_category, c.numerator, c.denominator, s.numerator, s.denominator
from {{ ref('int_indicator_counts_pooled') }} as c
left join pooled_sums as s
    on s.indicator_code = c.indicator_code
    and s.region_code = c.region_code
    and s.breakdown = c.breakdown
    and s.breakdown_category = c.breakdown_category
where c.numerator is distinct from s.numerator or c.denominator is distinct from s.denominator
