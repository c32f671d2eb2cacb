-- compared_to_nl: NULL for Nederland and suppressed rows; 'similar' exactly when the Nederland
-- value lies inside the row's 95% interval; otherwise the direction follows the polarity.
-- compared_to_parent: the same rule against the gemeente's GGD-regio (from the regions mart),
-- NULL for other levels, suppressed rows and a withheld GGD-regio; without an interval (census
-- indicators) the values are compared directly. SII rows (breakdown 'sii') are not compared.
with nl as (
    select indicator_code, period, classification_year, breakdown, breakdown_category, value as nl_value
    from {{ ref('indicator_values') }}
    where year_to = {{ build_year() }} and region_level = 'nederland'
),

ggd as (
    select r.region_code as gemeente_code, v.indicator_code, v.period, v.classification_year,
        v.breakdown, v.breakdown_category, v.value as ggd_value
    from {{ ref('indicator_values') }} as v
    inner join {{ ref('regions') }} as r
        on r.classification_year = v.classification_year
        and r.ggd_code = v.region_code
        and r.region_level = 'gemeente'
    where v.year_to = {{ build_year() }} and v.region_level = 'ggd_regio'
),

rows as (
    select v.*, i.polarity, nl.nl_value, ggd.ggd_value
    from {{ ref('indicator_values') }} as v
    inner join {{ ref('indicators') }} as i
        on i.indicator_code = v.indicator_code
    left join nl
        on nl.indicator_code = v.indicator_code
        and nl.period = v.period
        and nl.classification_year = v.classification_year
        and nl.breakdown = v.breakdown
        and nl.breakdown_category = v.breakdown_category
    left join ggd
        on v.region_level = 'gemeente'
        and ggd.gemeente_code = v.region_code
        and ggd.indicator_code = v.indicator_code
        and ggd.period = v.period
        and ggd.classification_year = v.classification_year
        and ggd.breakdown = v.breakdown
        and ggd.breakdown_category = v.breakdown_category
    where v.year_to = {{ build_year() }}
),

comparisons as (
    select 'compared_to_nl' as comparison, *, nl_value as benchmark, compared_to_nl as label,
        region_level = 'nederland' or breakdown = 'sii' as not_compared
    from rows
    union all
    select 'compared_to_parent', *, ggd_value, compared_to_parent,
        region_level <> 'gemeente' or breakdown = 'sii'
    from rows
)

select comparison, indicator_code, period, region_code, classification_year, breakdown,
    breakdown_category, value, ci95_lower, ci95_upper, benchmark, label
from comparisons
where case
        when not_compared or suppressed or value is null or benchmark is null
            then label is not null
        when ci95_lower is not null and benchmark between ci95_lower and ci95_upper
            then label is distinct from 'similar'
        when value = benchmark then label is distinct from 'similar'
        when polarity = 'low_is_good'
            then label is distinct from (case when value < benchmark then 'better' else 'worse' end)
        when polarity = 'high_is_good'
            then label is distinct from (case when value > benchmark then 'better' else 'worse' end)
        else label is distinct from (case when value > benchmark then 'higher' else 'lower' end)
    end
