-- The slope index of inequality rows (breakdown 'sii', macros/inequality.sql) of the build year:
-- exactly one for every indicator x period x classification x region with income-quintile rows
-- and an interval (none for the census indicators); withheld, with reason 'quintile_withheld',
-- exactly when one of its five quintiles is withheld; published with ci_method 'sii_normal' and
-- an interval symmetric about the value, the 99.8% one z998 / z95 times as wide as the 95% one;
-- never counts, comparisons or a trend.
with rows as (
    select * from {{ ref('indicator_values') }}
    where year_to = {{ build_year() }}
),

quintiles as (
    select r.indicator_code, r.period, r.classification_year, r.region_code,
        count(*) filter (where not r.suppressed and r.value is not null and r.ci95_lower is not null) as published
    from rows as r
    inner join {{ ref('indicators') }} as i
        on i.indicator_code = r.indicator_code
    where r.breakdown = 'income_quintile' and r.breakdown_category in ('1', '2', '3', '4', '5')
        and i.interval_method <> 'none'
    group by all
),

sii as (
    select * from rows where breakdown = 'sii'
)

select
    coalesce(s.indicator_code, q.indicator_code) as indicator_code,
    coalesce(s.period, q.period) as period,
    coalesce(s.classification_year, q.classification_year) as classification_year,
    coalesce(s.region_code, q.region_code) as region_code,
    q.published as published_quintiles,
    s.breakdown_category, s.suppressed, s.suppression_reason, s.value, s.ci95_lower, s.ci95_upper,
    s.ci998_lower, s.ci998_upper, s.ci_method
from quintiles as q
full outer join sii as s
    on s.indicator_code = q.indicator_code
    and s.period = q.period
    and s.classification_year = q.classification_year
    and s.region_code = q.region_code
where s.indicator_code is null
    or q.indicator_code is null
    or s.breakdown_category <> 'income_quintile'
    or s.numerator is not null or s.denominator is not null
    or s.compared_to_nl is not null or s.compared_to_parent is not null or s.trend is not null
    or s.suppressed <> (q.published < 5)
    or (s.suppressed and s.suppression_reason is distinct from 'quintile_withheld')
    or (not s.suppressed and (
        s.ci_method is distinct from 'sii_normal'
        or s.value is null or s.ci95_lower is null or s.ci998_lower is null
        or abs((s.ci95_upper - s.value) - (s.value - s.ci95_lower)) > 1e-9
        or abs((s.ci998_upper - s.value) * {{ z_95() }} - (s.ci95_upper - s.value) * {{ z_998() }}) > 1e-9
        or abs((s.ci998_upper - s.value) - (s.value - s.ci998_lower)) > 1e-9
    ))
