-- Every published interval contains the value, the 99.8% interval contains the 95% one, and a
-- row has either all four bounds or none (with ci_method set exactly when bounds are). Only an
-- SII (a difference) may be negative.
select indicator_code, period, region_code, classification_year, breakdown, breakdown_category,
    value, ci95_lower, ci95_upper, ci998_lower, ci998_upper, ci_method
from {{ ref('indicator_values') }}
where year_to = {{ build_year() }}
    and (
        (ci95_lower is null) <> (ci95_upper is null)
        or (ci95_lower is null) <> (ci998_lower is null)
        or (ci95_lower is null) <> (ci998_upper is null)
        or (ci95_lower is null) <> (ci_method is null)
        or (ci95_lower is not null and value is null)
        or ci95_lower > value + 1e-9
        or ci95_upper < value - 1e-9
        or ci998_lower > ci95_lower + 1e-9
        or ci998_upper < ci95_upper - 1e-9
        or (ci95_lower < -1e-9 and breakdown <> 'sii')
    )
