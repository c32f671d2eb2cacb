-- compared_to_nl: NULL for Nederland and suppressed rows; 'similar' exactly when the Nederland
-- value lies inside the row's 95% interval; otherwise the direction follows the polarity.
with nl as (
    select indicator_code, period, classification_year, breakdown, breakdown_category, value as nl_value
    from {{ ref('indicator_values') }}
    where year_to = {{ build_year() }} and region_level = 'nederland'
)

select v.indicator_code, v.period, v.region_code, v.classification_year, v.breakdown,
    v.breakdown_category, v.value, v.ci95_lower, v.ci95_upper, nl.nl_value, v.compared_to_nl
from {{ ref('indicator_values') }} as v
inner join {{ ref('indicators') }} as i
    on i.indicator_code = v.indicator_code
left join nl
    on nl.indicator_code = v.indicator_code
    and nl.period = v.period
    and nl.classification_year = v.classification_year
    and nl.breakdown = v.breakdown
    and nl.breakdown_category = v.breakdown_category
where v.year_to = {{ build_year() }}
    and case
        when v.region_level = 'nederland' or v.suppressed or nl.nl_value is null
            then v.compared_to_nl is not null
        when v.ci95_lower is not null and nl.nl_value between v.ci95_lower and v.ci95_upper
            then v.compared_to_nl is distinct from 'similar'
        when v.ci95_lower is not null and i.polarity = 'low_is_good'
            then v.compared_to_nl is distinct from (case when v.value < nl.nl_value then 'better' else 'worse' end)
        when v.ci95_lower is not null and i.polarity = 'high_is_good'
            then v.compared_to_nl is distinct from (case when v.value > nl.nl_value then 'better' else 'worse' end)
        else false
    end
