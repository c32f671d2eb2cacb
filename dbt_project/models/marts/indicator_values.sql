{{
    config(
        materialized='incremental',
        incremental_strategy='append',
        on_schema_change='append_new_columns',
        full_refresh=false,
        pre_hook="{% if is_incremental() %}delete from {{ this }} where year_to = {{ build_year() }}{% endif %}"
    )
}}
-- One row per indicator x period x region x classification x breakdown category.
-- Periods: the build year ('2024') and, when raw holds all five years, the pooled period
-- ending in it ('2020-2024'); both have year_to = the build year.
-- Incremental by year: the pre-hook deletes the build year's rows (every period ending in that
-- year), then this year's rows are inserted; other years stay as they are. full_refresh=false:
-- `dbt build --full-refresh` would otherwise keep only the build year (to change or remove a
-- column, drop the table on purpose and rebuild every year). on_schema_change=
-- 'append_new_columns': a new column is added to an existing table; rows of years built before
-- keep NULL in it until those years are rebuilt.
-- trend (yearly 'total' rows only): chi-square test for trend over the latest
-- var('trend_points', 5) yearly points ending in the build year, the earlier points read from
-- this table itself (same indicator, region and classification); see the trend CTEs below.
-- Every year is published on the target classification (the fixed series: pooled periods and
-- trends) and on its own (var include_own_classification, on by default).
{%- set build = build_year() %}
{%- set target = target_classification_year() %}
{%- set trend_points = var('trend_points', 5) | int %}

with cells as (
    -- the unknown-gemeente bucket and split parts exist only for disclosure control, and the
    -- fixed cells (earlier years of the pooled period) are published already
    select * from {{ ref('int_indicator_disclosure') }}
    where region_level in ('gemeente', 'ggd_regio', 'provincie', 'nederland')
        and not is_fixed
),

catalogue as (
    select indicator_code, unit, multiplier, polarity, interval_method
    from {{ ref('indicator_catalogue') }}
),

computed as (
    select
        c.*,
        k.unit,
        cast(k.multiplier as double) as multiplier,
        k.polarity,
        k.interval_method,
        -- interval_method 'none' (census indicators): no interval
        case
            when c.is_suppressed or c.denominator = 0 then null
            when k.interval_method = 'wilson' then 'wilson'
            when k.interval_method = 'byar' and c.numerator >= 10 then 'byar'
            when k.interval_method = 'byar' then 'exact_poisson'
        end as ci_method,
        e.lower_95  as exact_lower_95,
        e.upper_95  as exact_upper_95,
        e.lower_998 as exact_lower_998,
        e.upper_998 as exact_upper_998
    from cells as c
    inner join catalogue as k
        on k.indicator_code = c.indicator_code
    left join {{ ref('poisson_exact_limits') }} as e
        on k.interval_method = 'byar' and e.events = c.numerator
),

published as (
    select
        *,
        case when not is_suppressed then numerator end                            as numerator_published,
        case when not is_suppressed then denominator end                          as denominator_published,
        case when not is_suppressed and denominator > 0
            then cast(numerator as double) / denominator * multiplier end        as value,
        case ci_method
            when 'wilson' then {{ wilson_lower('numerator', 'denominator', z_95(), 'multiplier') }}
            when 'byar' then {{ byar_lower('numerator', 'denominator', z_95(), 'multiplier') }}
            when 'exact_poisson' then {{ poisson_exact_bound('computed', 'exact_lower_95', 'denominator', 'multiplier') }}
        end                                                                       as ci95_lower,
        case ci_method
            when 'wilson' then {{ wilson_upper('numerator', 'denominator', z_95(), 'multiplier') }}
            when 'byar' then {{ byar_upper('numerator', 'denominator', z_95(), 'multiplier') }}
            when 'exact_poisson' then {{ poisson_exact_bound('computed', 'exact_upper_95', 'denominator', 'multiplier') }}
        end                                                                       as ci95_upper,
        case ci_method
            when 'wilson' then {{ wilson_lower('numerator', 'denominator', z_998(), 'multiplier') }}
            when 'byar' then {{ byar_lower('numerator', 'denominator', z_998(), 'multiplier') }}
            when 'exact_poisson' then {{ poisson_exact_bound('computed', 'exact_lower_998', 'denominator', 'multiplier') }}
        end                                                                       as ci998_lower,
        case ci_method
            when 'wilson' then {{ wilson_upper('numerator', 'denominator', z_998(), 'multiplier') }}
            when 'byar' then {{ byar_upper('numerator', 'denominator', z_998(), 'multiplier') }}
            when 'exact_poisson' then {{ poisson_exact_bound('computed', 'exact_upper_998', 'denominator', 'multiplier') }}
        end                                                                       as ci998_upper
    from computed
),

nederland as (
    select indicator_code, period, classification_year, breakdown, breakdown_category,
        value as nl_value
    from published
    where region_level = 'nederland'
),

-- a gemeente's GGD-regio value (NULL when withheld), for compared_to_parent
ggd_values as (
    select m.gemeente_code, p.indicator_code, p.period, p.classification_year, p.breakdown,
        p.breakdown_category, p.value as parent_value
    from published as p
    inner join {{ ref('int_region_membership') }} as m
        on m.classification_year = p.classification_year
        and m.ggd_code = p.region_code
    where p.region_level = 'ggd_regio'
),

-- Trend: the series of an indicator x region x classification ('total' only) is its yearly
-- points of the latest {{ trend_points }} years ending in the build year: the build year's
-- from this run, the earlier ones as published in this table. It is tested only when all
-- {{ trend_points }} points are there and published (a withheld or missing year breaks the
-- series): proportions by the chi-square test for trend in proportions (numerators and
-- denominators; census shares of gemeenten too, though they have no interval), per-1000 rates
-- by the inverse-variance weighted version (standard errors from the 95% intervals);
-- macros/statistics.sql.
trend_points as (
    select indicator_code, region_code, classification_year, year_to as point_year,
        is_suppressed as suppressed, numerator_published as numerator,
        denominator_published as denominator, value, ci95_lower, ci95_upper
    from published
    where breakdown = 'total' and period = '{{ build }}'
    {%- if is_incremental() %}
    union all
    select indicator_code, region_code, classification_year, year_to,
        suppressed, numerator, denominator, value, ci95_lower, ci95_upper
    from {{ this }}
    where breakdown = 'total' and year_from = year_to
        and year_to between {{ build - trend_points + 1 }} and {{ build - 1 }}
    {%- endif %}
),

trend_series as (
    select
        indicator_code,
        region_code,
        classification_year,
        count(distinct point_year) filter (where not suppressed and value is not null) as usable_points,
        {{ trend_proportion_slope('numerator', 'denominator', 'point_year - ' ~ build) }} as proportion_slope,
        {{ trend_proportion_chi2('numerator', 'denominator', 'point_year - ' ~ build) }}  as proportion_chi2,
        {{ trend_weighted_slope('value', 'ci95_lower', 'ci95_upper', 'point_year - ' ~ build) }} as weighted_slope,
        {{ trend_weighted_chi2('value', 'ci95_lower', 'ci95_upper', 'point_year - ' ~ build) }}  as weighted_chi2
    from trend_points
    group by indicator_code, region_code, classification_year
),

trends as (
    select
        s.indicator_code,
        s.region_code,
        s.classification_year,
        {{ trend_label(
            "case when k.interval_method = 'byar' then s.weighted_chi2 else s.proportion_chi2 end",
            "case when k.interval_method = 'byar' then s.weighted_slope else s.proportion_slope end",
            'k.polarity',
            's.usable_points = ' ~ trend_points) }} as trend
    from trend_series as s
    inner join catalogue as k
        on k.indicator_code = s.indicator_code
)

select
    p.indicator_code,
    p.period,
    cast(p.year_from as integer)                                 as year_from,
    cast(p.year_to as integer)                                   as year_to,
    p.region_code,
    p.region_name,
    p.region_level,
    cast(p.classification_year as integer)                       as classification_year,
    p.breakdown,
    p.breakdown_category,
    cast(p.numerator_published as bigint)                        as numerator,
    cast(p.denominator_published as bigint)                      as denominator,
    cast(p.value as double)                                      as value,
    p.unit,
    cast(p.ci95_lower as double)                                 as ci95_lower,
    cast(p.ci95_upper as double)                                 as ci95_upper,
    cast(p.ci998_lower as double)                                as ci998_lower,
    cast(p.ci998_upper as double)                                as ci998_upper,
    p.ci_method,
    p.is_suppressed                                              as suppressed,
    p.suppression_reason,
    case when p.region_level <> 'nederland' and not p.is_suppressed then
        {{ comparison_label('p.value', 'p.ci95_lower', 'p.ci95_upper', 'n.nl_value', 'p.polarity') }}
    end                                                          as compared_to_nl,
    -- gemeenten only: GGD-regio's and provincies have compared_to_nl as their parent comparison
    case when p.region_level = 'gemeente' and not p.is_suppressed then
        {{ comparison_label('p.value', 'p.ci95_lower', 'p.ci95_upper', 'g.parent_value', 'p.polarity') }}
    end                                                          as compared_to_parent,
    -- trends are of the fixed series only: the year's own classification has no earlier years
    case when p.breakdown = 'total' and p.period = '{{ build }}' and p.classification_year = {{ target }}
        then coalesce(t.trend, 'cannot_be_calculated') end       as trend,
    cast(null as integer)                                        as release_year,
    cast(null as integer)                                        as release_version
from published as p
left join nederland as n
    on n.indicator_code = p.indicator_code
    and n.period = p.period
    and n.classification_year = p.classification_year
    and n.breakdown = p.breakdown
    and n.breakdown_category = p.breakdown_category
left join ggd_values as g
    on g.gemeente_code = p.region_code
    and p.region_level = 'gemeente'
    and g.indicator_code = p.indicator_code
    and g.period = p.period
    and g.classification_year = p.classification_year
    and g.breakdown = p.breakdown
    and g.breakdown_category = p.breakdown_category
left join trends as t
    on t.indicator_code = p.indicator_code
    and t.region_code = p.region_code
    and t.classification_year = p.classification_year
-- the slope index of inequality by income quintile: rows of breakdown 'sii' from the quintile
-- rows above (macros/inequality.sql); by name, so the columns it leaves out are NULL
union all by name
{{ sii_rows('published') }}
