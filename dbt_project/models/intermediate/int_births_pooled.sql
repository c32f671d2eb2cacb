-- Births of the 5-year pooled period ending in the build year (pooled_window()), one row per
-- child, with the gemeente of EVERY year harmonised to the target classification and the
-- indicator flags and breakdown categories of birth_records(). Empty when raw does not hold all
-- five years of Perined (or the code map does not reach the target classification from each).
{%- set target = target_classification_year() %}
{%- set window = pooled_window() %}

select
    year,
    child_id,
    gemeente_code_status,
    gemeente_code_target,
    harmonisation_method,
    classification_year,
    is_live_birth,
    is_big2,
    is_preterm,
    is_sga,
    is_perinatal_death,
    is_pregnancy_record,
    is_late_antenatal_care,
    is_teen_mother,
    has_problematic_debts,
    has_parental_mental_health_problems,
    has_maternity_care_claim,
    has_long_hospital_stay,
    is_multiply_vulnerable,
    {%- for b in breakdown_names() %}
    breakdown_{{ b }}{{ ',' if not loop.last }}
    {%- endfor %}
from (
    {%- if window.has_births %}
    {{ birth_records(window.year_from, window.year_to, target) }}
    {%- else %}
    {{ birth_records(window.year_to, window.year_to, target) }}
    {%- endif %}
)
where {{ 'true' if window.has_births else 'false' }}
