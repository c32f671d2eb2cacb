-- Primary disclosure control: no published person-level figure rests on fewer than 10 cases,
-- 10 persons or 10 non-cases.
select v.indicator_code, v.period, v.region_code, v.classification_year, v.breakdown,
    v.breakdown_category, v.numerator, v.denominator
from {{ ref('indicator_values') }} as v
inner join {{ ref('indicators') }} as i
    on i.indicator_code = v.indicator_code
where v.year_to = {{ build_year() }}
    and i.disclosure_rule = 'min_10_both_outcomes'
    and not v.suppressed
    and (v.numerator < 10 or v.denominator < 10 or v.denominator - v.numerator < 10)
