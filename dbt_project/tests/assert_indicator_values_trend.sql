-- trend is filled exactly for the build year's yearly 'total' rows on the target classification; a withheld yearly row
-- cannot have a trend (its own point is missing); a trend other than 'cannot_be_calculated'
-- needs the earlier four yearly points of that series published in the mart.
-- worse_and_worsening: true exactly for rows worse than Nederland with a trend getting worse,
-- false when both are known otherwise, NULL when either is not (macros/trend.sql).
{%- set build = build_year() %}
{%- set target = target_classification_year() %}
{%- set points = var('trend_points', 5) | int %}

with rows as (
    select *
    from {{ ref('indicator_values') }}
    where year_to = {{ build }}
),

history as (
    select indicator_code, region_code, classification_year,
        count(distinct year_to) filter (where not suppressed) as published_points
    from {{ ref('indicator_values') }}
    where breakdown = 'total' and year_from = year_to
        and year_to between {{ build - points + 1 }} and {{ build - 1 }}
    group by all
)

select r.indicator_code, r.period, r.region_code, r.classification_year, r.breakdown,
    r.breakdown_category, r.suppressed, r.trend, r.compared_to_nl, r.worse_and_worsening, h.published_points
from rows as r
left join history as h
    on h.indicator_code = r.indicator_code
    and h.region_code = r.region_code
    and h.classification_year = r.classification_year
where case
    when r.breakdown <> 'total' or r.period <> '{{ build }}' then r.trend is not null
    -- the year's own classification has no series: trends are of the fixed one only
    when r.classification_year <> {{ target }} then r.trend is not null
    when r.trend is null then true
    when r.suppressed then r.trend <> 'cannot_be_calculated'
    when r.trend <> 'cannot_be_calculated' then coalesce(h.published_points, 0) <> {{ points - 1 }}
    else false
end
    or r.worse_and_worsening is distinct from (case
        when r.compared_to_nl not in ('better', 'similar', 'worse') or r.compared_to_nl is null
            or r.trend is null or r.trend = 'cannot_be_calculated' then null
        else r.compared_to_nl = 'worse'
            and r.trend in ('increasing_and_getting_worse', 'decreasing_and_getting_worse')
    end)
