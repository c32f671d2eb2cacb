{#-
  How each record-level indicator is counted, shared by the yearly counts (int_indicator_counts)
  and the pooled-period counts (int_pooled_counts_by_year), so both count exactly the same way.

  birth_indicator_definitions(): (indicator, numerator condition, denominator condition) over the
  columns of birth_records() (int_births, int_births_pooled). A record counts in the denominator
  when the denominator condition is true, and in the numerator when both conditions are true.

  questionnaire_indicator_definitions(): the same over int_questionnaire.

  breakdown_names(): the breakdowns of brief section 2; column breakdown_<name> of
  birth_records() holds a record's category.
-#}

{% macro breakdown_names() -%}
    {{ return(['income_quintile', 'education', 'migration_background',
               'multiple_vulnerability', 'parity', 'plurality']) }}
{%- endmacro %}

{% macro birth_indicator_definitions() -%}
    {{ return([
        ('big2',                   'is_big2',                             'true'),
        ('preterm',                'is_preterm',                          'true'),
        ('sga',                    'is_sga',                              'is_sga is not null'),
        ('perinatal_mortality',    'is_perinatal_death',                  'true'),
        ('late_antenatal_care',    'is_late_antenatal_care',              'is_pregnancy_record and is_late_antenatal_care is not null'),
        ('teen_mother',            'is_teen_mother',                      'is_live_birth and is_teen_mother is not null'),
        ('parental_debts',         'has_problematic_debts',               'has_problematic_debts is not null'),
        ('parental_mental_health', 'has_parental_mental_health_problems', 'has_parental_mental_health_problems is not null'),
        ('no_maternity_care',      'not has_maternity_care_claim',        'is_live_birth and has_long_hospital_stay = false and has_maternity_care_claim is not null'),
        ('multiple_vulnerability', 'is_multiply_vulnerable',              'is_live_birth and is_multiply_vulnerable is not null'),
    ]) }}
{%- endmacro %}

{% macro questionnaire_indicator_definitions() -%}
    {{ return([
        ('coalition',            'has_coalition',               'true'),
        ('action_plan',          'has_action_plan',             'true'),
        ('prenatal_home_visits', 'offers_prenatal_home_visits', 'offers_prenatal_home_visits is not null'),
        ('nu_niet_zwanger',      'offers_nu_niet_zwanger',      'offers_nu_niet_zwanger is not null'),
    ]) }}
{%- endmacro %}
