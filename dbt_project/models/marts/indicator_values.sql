{{
    config(
        materialized='incremental',
        incremental_strategy='append',
        on_schema_change='fail',
        full_refresh=false,
        pre_hook="{% if is_incremental() %}delete from {{ this }} where year_to = {{ build_year() }}{% endif %}"
    )
}}
-- One row per indicator x period x region x classification x breakdown category.
-- Incremental by year: the pre-hook deletes the build year's rows (every period ending in that
-- year), then this year's rows are inserted; other years stay as they are. full_refresh=false:
-- `dbt build --full-refresh` would otherwise keep only the build year (to change the schema,
-- drop the table on purpose and rebuild every year).

with cells as (
    -- the unknown-gemeente bucket and split parts exist only for disclosure control
    select * from {{ ref('int_indicator_disclosure') }}
    where region_level in ('gemeente', 'ggd_regio', 'provincie', 'nederland')
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
        case
            when c.is_suppressed or c.denominator = 0 then null
            when k.interval_method = 'wilson' then 'wilson'
            when k.interval_method = 'byar' and c.numerator >= 10 then 'byar'
        end as ci_method
    from cells as c
    inner join catalogue as k
        on k.indicator_code = c.indicator_code
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
        end                                                                       as ci95_lower,
        case ci_method
            when 'wilson' then {{ wilson_upper('numerator', 'denominator', z_95(), 'multiplier') }}
            when 'byar' then {{ byar_upper('numerator', 'denominator', z_95(), 'multiplier') }}
        end                                                                       as ci95_upper,
        case ci_method
            when 'wilson' then {{ wilson_lower('numerator', 'denominator', z_998(), 'multiplier') }}
            when 'byar' then {{ byar_lower('numerator', 'denominator', z_998(), 'multiplier') }}
        end                                                                       as ci998_lower,
        case ci_method
            when 'wilson' then {{ wilson_upper('numerator', 'denominator', z_998(), 'multiplier') }}
            when 'byar' then {{ byar_upper('numerator', 'denominator', z_998(), 'multiplier') }}
        end                                                                       as ci998_upper
    from computed
),

nederland as (
    select indicator_code, period, classification_year, breakdown, breakdown_category,
        value as nl_value
    from published
    where region_level = 'nederland'
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
    case
        when p.region_level = 'nederland' or p.is_suppressed or p.value is null or n.nl_value is null
            then null
        when p.ci95_lower is not null and n.nl_value between p.ci95_lower and p.ci95_upper
            then 'similar'
        when p.value = n.nl_value then 'similar'
        when p.polarity = 'low_is_good'
            then case when p.value < n.nl_value then 'better' else 'worse' end
        when p.polarity = 'high_is_good'
            then case when p.value > n.nl_value then 'better' else 'worse' end
        else case when p.value > n.nl_value then 'higher' else 'lower' end
    end                                                          as compared_to_nl,
    cast(null as varchar)                                        as trend,
    cast(null as integer)                                        as release_year,
    cast(null as integer)                                        as release_version
from published as p
left join nederland as n
    on n.indicator_code = p.indicator_code
    and n.period = p.period
    and n.classification_year = p.classification_year
    and n.breakdown = p.breakdown
    and n.breakdown_category = p.breakdown_category
