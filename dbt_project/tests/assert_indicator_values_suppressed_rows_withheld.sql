-- Suppressed rows keep their keys and a reason but no figures; published rows have figures
-- and no reason, except a gemeente's unanswered questionnaire row ('not_answered': published
-- counts, no value when the indicator leaves unanswered gemeenten out of its denominator).
-- SII rows (breakdown 'sii') never have counts: published, they have a value and no reason.
select indicator_code, period, region_code, classification_year, breakdown, breakdown_category,
    suppressed, suppression_reason, numerator, denominator, value
from {{ ref('indicator_values') }}
where year_to = {{ build_year() }}
    and (
        (suppressed and (
            suppression_reason is null
            or numerator is not null or denominator is not null or value is not null
            or ci95_lower is not null or ci95_upper is not null
            or ci998_lower is not null or ci998_upper is not null
            or compared_to_nl is not null
        ))
        or (breakdown = 'sii' and (numerator is not null or denominator is not null))
        or (not suppressed and breakdown = 'sii' and (suppression_reason is not null or value is null))
        or (not suppressed and breakdown <> 'sii' and (
            suppression_reason is distinct from 'not_answered' and suppression_reason is not null
            or numerator is null or denominator is null
            or value is null and not (suppression_reason = 'not_answered' and denominator = 0)
        ))
    )
