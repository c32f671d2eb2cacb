-- compared_to_nl: NULL for Nederland and suppressed rows; 'similar' exactly when the Nederland
-- value lies inside the row's 95% interval; otherwise the direction follows the polarity.
-- compared_to_parent: the same rule against the direct parent (from the regions mart): a
-- gemeente's GGD-regio, a GGD-regio's provincie (none when it spans two); NULL for provincies and
-- Nederland, suppressed rows and a withheld parent. compared_to_provincie: gemeenten against
-- their provincie. Without an interval (census indicators) the values are compared directly.
-- SII rows (breakdown 'sii') are not compared.
with nl as (
    select indicator_code, period, classification_year, breakdown, breakdown_category, value as nl_value
    from {{ ref('indicator_values') }}
    where year_to = {{ build_year() }} and region_level = 'nederland'
),

-- every region's parents by the regions mart: the parent compared with and the provincie
parents as (
    select classification_year, region_code,
        case region_level when 'gemeente' then ggd_code when 'ggd_regio' then provincie_code end as parent_code,
        case when region_level = 'gemeente' then provincie_code end as provincie_code
    from {{ ref('regions') }}
),

rows as (
    select v.*, i.polarity, nl.nl_value, parent.value as parent_value, prov.value as provincie_value,
        pr.parent_code, pr.provincie_code
    from {{ ref('indicator_values') }} as v
    inner join {{ ref('indicators') }} as i
        on i.indicator_code = v.indicator_code
    left join nl
        on nl.indicator_code = v.indicator_code
        and nl.period = v.period
        and nl.classification_year = v.classification_year
        and nl.breakdown = v.breakdown
        and nl.breakdown_category = v.breakdown_category
    left join parents as pr
        on pr.classification_year = v.classification_year and pr.region_code = v.region_code
    left join {{ ref('indicator_values') }} as parent
        on parent.region_code = pr.parent_code and {{ same_cell('parent', 'v') }}
    left join {{ ref('indicator_values') }} as prov
        on prov.region_code = pr.provincie_code and {{ same_cell('prov', 'v') }}
    where v.year_to = {{ build_year() }}
),

comparisons as (
    select 'compared_to_nl' as comparison, *, nl_value as benchmark, compared_to_nl as label,
        region_level = 'nederland' or breakdown = 'sii' as not_compared
    from rows
    union all
    select 'compared_to_parent', *, parent_value, compared_to_parent, parent_code is null or breakdown = 'sii'
    from rows
    union all
    select 'compared_to_provincie', *, provincie_value, compared_to_provincie,
        provincie_code is null or breakdown = 'sii'
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
