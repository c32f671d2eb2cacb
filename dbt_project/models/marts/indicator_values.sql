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
-- column, drop the table on purpose and rebuild every year). A new column is added to an existing
-- table (on_schema_change); earlier years keep NULL in it until rebuilt.
-- trend (yearly 'total' rows only): Fingertips' recent trend over the latest
-- var('trend_points', 5) yearly points ending in the build year, the earlier points read from
-- this table itself (same indicator, region and classification); macros/trend.sql.
-- Every year is on the target classification (the fixed series) and on its own (by default).
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

computed as (
    select
        c.*,
        k.unit, cast(k.multiplier as double) as multiplier, k.polarity, k.interval_method,
        -- interval_method 'none' (census indicators): no interval
        case
            when c.is_suppressed or c.denominator = 0 then null
            when k.interval_method = 'wilson' then 'wilson'
            when k.interval_method = 'byar' and c.numerator >= 10 then 'byar'
            when k.interval_method = 'byar' then 'exact_poisson'
        end as ci_method,
        e.lower_95 as exact_lower_95, e.upper_95 as exact_upper_95,
        e.lower_998 as exact_lower_998, e.upper_998 as exact_upper_998
    from cells as c
    inner join {{ ref('indicator_catalogue') }} as k
        on k.indicator_code = c.indicator_code
    left join {{ ref('poisson_exact_limits') }} as e
        on k.interval_method = 'byar' and e.events = c.numerator
),

published as (
    select
        *,
        case when not is_suppressed then numerator end                        as numerator_published,
        case when not is_suppressed then denominator end                      as denominator_published,
        case when not is_suppressed and denominator > 0
            then cast(numerator as double) / denominator * multiplier end    as value,
        {{ interval_bound('lower', '95', 'computed') }}                      as ci95_lower,
        {{ interval_bound('upper', '95', 'computed') }}                      as ci95_upper,
        {{ interval_bound('lower', '998', 'computed') }}                     as ci998_lower,
        {{ interval_bound('upper', '998', 'computed') }}                     as ci998_upper
    from computed
),

-- parents: a gemeente's GGD-regio and provincie, a GGD-regio's provincie (GGD-regio's nest in
-- provincies; one whose gemeenten lie in two provincies has none, as in the regions mart)
parents as (
    select classification_year, gemeente_code as region_code, ggd_code, provincie_code
    from {{ ref('int_region_membership') }}
    union all
    select classification_year, ggd_code, null,
        case when count(distinct provincie_code) = 1 then min(provincie_code) end
    from {{ ref('int_region_membership') }}
    where ggd_code is not null
    group by classification_year, ggd_code
),

-- the series of the recent trend: the 'total' yearly points of the latest {{ trend_points }}
-- years, the build year's from this run and the earlier ones as published in this table
trend_points as (
    select indicator_code, region_code, classification_year, year_to - {{ build }} as t,
        numerator_published as numerator, denominator_published as denominator, value,
        ci95_lower, ci95_upper, interval_method, polarity
    from published
    where breakdown = 'total' and period = '{{ build }}'
    {%- if is_incremental() %}
    union all
    select v.indicator_code, v.region_code, v.classification_year, v.year_to - {{ build }},
        v.numerator, v.denominator, v.value, v.ci95_lower, v.ci95_upper, k.interval_method, k.polarity
    from {{ this }} as v
    inner join {{ ref('indicator_catalogue') }} as k
        on k.indicator_code = v.indicator_code
    where v.breakdown = 'total' and v.year_from = v.year_to
        and v.year_to between {{ build - trend_points + 1 }} and {{ build - 1 }}
    {%- endif %}
),

trends as (
    {{ recent_trend('trend_points', ['indicator_code', 'region_code', 'classification_year'], trend_points) }}
),

labelled as (
    select
        p.*,
        case when p.region_level <> 'nederland' and not p.is_suppressed then
            {{ comparison_label('p.value', 'p.ci95_lower', 'p.ci95_upper', 'n.value', 'p.polarity') }}
        end                                                                   as compared_to_nl,
        -- the direct parent: a gemeente's GGD-regio, a GGD-regio's provincie (a provincie's: NL)
        case when not p.is_suppressed then
            {{ comparison_label('p.value', 'p.ci95_lower', 'p.ci95_upper',
                "case when p.region_level = 'gemeente' then g.value else v.value end", 'p.polarity') }}
        end                                                                   as compared_to_parent,
        case when p.region_level = 'gemeente' and not p.is_suppressed then
            {{ comparison_label('p.value', 'p.ci95_lower', 'p.ci95_upper', 'v.value', 'p.polarity') }}
        end                                                                   as compared_to_provincie,
        -- trends are of the fixed series only: the year's own classification has no earlier years
        case when p.breakdown = 'total' and p.period = '{{ build }}' and p.classification_year = {{ target }}
            then coalesce(t.trend, 'cannot_be_calculated') end               as trend
    from published as p
    left join trends as t
        using (indicator_code, region_code, classification_year)
    left join published as n
        on n.region_level = 'nederland' and {{ same_cell('n', 'p') }}
    left join parents as r
        on r.classification_year = p.classification_year and r.region_code = p.region_code
    left join published as g
        on g.region_code = r.ggd_code and {{ same_cell('g', 'p') }}
    left join published as v
        on v.region_code = r.provincie_code and {{ same_cell('v', 'p') }}
)

select
    indicator_code, period, cast(year_from as integer) as year_from, cast(year_to as integer) as year_to,
    region_code, region_name, region_level, cast(classification_year as integer) as classification_year,
    breakdown, breakdown_category,
    cast(numerator_published as bigint) as numerator, cast(denominator_published as bigint) as denominator,
    cast(value as double) as value, unit,
    cast(ci95_lower as double) as ci95_lower, cast(ci95_upper as double) as ci95_upper,
    cast(ci998_lower as double) as ci998_lower, cast(ci998_upper as double) as ci998_upper,
    ci_method, is_suppressed as suppressed, suppression_reason,
    compared_to_nl, compared_to_parent, compared_to_provincie, trend,
    {{ worse_and_worsening('compared_to_nl', 'trend') }} as worse_and_worsening,
    {{ sql_string(definition_edition()) }} as definition_edition,
    cast(null as integer) as release_year, cast(null as integer) as release_version
from labelled
-- the slope index of inequality by income quintile (macros/inequality.sql), by name
union all by name
select *, {{ sql_string(definition_edition()) }} as definition_edition from ({{ sii_rows('published') }})
