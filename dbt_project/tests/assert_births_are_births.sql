-- int_births holds the build year's births only: no stillbirths under 24 weeks, no other year.
select child_id, year, mortality_code, gestational_age_weeks
from {{ ref('int_births') }}
where year <> {{ build_year() }}
    or (mortality_code in (1, 2) and coalesce(gestational_age_weeks, 0) < 24)
