-- value = numerator / denominator x the indicator's multiplier (within 1e-9), and the unit
-- matches the catalogue. A published 0 of 0 (a gemeente that did not answer a question whose
-- denominator is the gemeenten that answered) has no value.
select v.indicator_code, v.period, v.region_code, v.classification_year, v.breakdown,
    v.breakdown_category, v.numerator, v.denominator, v.value, v.unit, i.unit as catalogue_unit
from {{ ref('indicator_values') }} as v
inner join {{ ref('indicators') }} as i
    on i.indicator_code = v.indicator_code
where v.year_to = {{ build_year() }}
    and (
        v.unit <> i.unit
        or (not v.suppressed and v.denominator > 0 and (
            v.value is null
            or abs(v.value - cast(v.numerator as double) / v.denominator * i.multiplier) > 1e-9
        ))
        or (not v.suppressed and v.denominator = 0 and v.value is not null)
    )
