-- A published numerator never exceeds its denominator, and neither is negative.
select indicator_code, period, region_code, classification_year, breakdown, breakdown_category,
    numerator, denominator
from {{ ref('indicator_values') }}
where year_to = {{ build_year() }}
    and (numerator > denominator or numerator < 0 or denominator < 0)
