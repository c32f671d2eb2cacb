-- Periods of the build year: the year itself ('2024', year_from = year_to) and at most the
-- 5-year pooled period ending in it ('2020-2024'); pooled rows only for indicators that are
-- pooled at all (not the questionnaire ones) and always on the target classification.
{%- set build = build_year() %}
{%- set target = target_classification_year() %}

select indicator_code, period, year_from, year_to, region_code, classification_year, breakdown,
    breakdown_category
from {{ ref('indicator_values') }}
where year_to = {{ build }}
    and not (
        (period = '{{ build }}' and year_from = {{ build }})
        or (period = '{{ build - 4 }}-{{ build }}' and year_from = {{ build - 4 }}
            and classification_year = {{ target }}
            and indicator_code not in ('coalition', 'action_plan', 'prenatal_home_visits', 'nu_niet_zwanger'))
    )
