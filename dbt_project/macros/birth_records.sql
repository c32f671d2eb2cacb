{#-
  Births of the years year_from..year_to, one row per child, with indicator flags, breakdown
  categories and the gemeente harmonised to the classification of `target_year`.
  Shared by int_births (one year) and int_births_pooled (the pooled period).

  A birth is a live birth (mortality code 0, 3, 4, 5) or a stillbirth (code 1-2) from 24
  completed weeks; stillbirths under 24 weeks (or without gestational age) are not births.
-#}
{#- A Perined record that is a birth (columns of stg_perined). -#}
{% macro is_counted_birth() -%}
    (coalesce(mortality_code, 0) not in (1, 2) or gestational_age_weeks >= 24)
{%- endmacro %}

{% macro birth_records(year_from, year_to, target_year) -%}
with perined as (
    select *
    from {{ ref('stg_perined') }}
    where year between {{ year_from }} and {{ year_to }}
),

births as (
    select *
    from perined
    where {{ is_counted_birth() }}
),

harmonised as {{ harmonise_gemeente(
    records='births', key='child_id', code='gemeente_code', status='gemeente_code_status',
    year_column='year', to_year=target_year, current_code='current_gemeente_code') }},

cbs as (
    select *
    from {{ ref('stg_cbs_linked') }}
    where year between {{ year_from }} and {{ year_to }}
),

vektis as (
    select *
    from {{ ref('stg_vektis') }}
    where year between {{ year_from }} and {{ year_to }}
),

pregnancies as (
    -- one pregnancy per mother per year, represented by its first-born child
    select
        year,
        child_id,
        row_number() over (
            partition by year, coalesce(mother_id, child_id)
            order by birth_order nulls last, child_id
        ) = 1 as is_pregnancy_record
    from births
),

flagged as (
    select
        b.year,
        b.source_file,
        b.source_row,
        b.child_id,
        b.mother_id,
        b.gemeente_code,
        b.gemeente_code_status,
        b.current_gemeente_code,
        {{ placed_gemeente_columns('b', 'h', target_year) }},
        b.gestational_age_weeks,
        b.birthweight_percentile,
        b.first_visit_gestational_day,
        b.mortality_code,
        b.plurality,
        b.birth_order,
        b.mother_age,
        b.parity,

        coalesce(b.mortality_code, 0) not in (1, 2)                          as is_live_birth,
        b.gestational_age_weeks < 37                                         as is_preterm,
        b.birthweight_percentile < 10                                        as is_sga,
        coalesce(b.gestational_age_weeks < 37, false)
            or coalesce(b.birthweight_percentile < 10, false)                as is_big2,
        coalesce(b.mortality_code between 1 and 4, false)                    as is_perinatal_death,
        p.is_pregnancy_record,
        b.first_visit_gestational_day > 70                                   as is_late_antenatal_care,
        case when coalesce(b.mortality_code, 0) not in (1, 2)
            then b.mother_age < 20 end                                       as is_teen_mother,

        c.child_id is not null                                               as has_cbs_link,
        c.has_problematic_debts,
        c.has_parental_mental_health_problems,
        c.is_multiply_vulnerable,
        v.child_id is not null                                               as has_vektis_record,
        v.has_maternity_care_claim,
        v.has_long_hospital_stay,

        case when c.income_quintile between 1 and 5
            then cast(c.income_quintile as varchar) else 'unknown' end      as breakdown_income_quintile,
        case c.mother_education
            when 'laag' then 'low' when 'midden' then 'middle' when 'hoog' then 'high'
            else 'unknown' end                                               as breakdown_education,
        case c.migration_background
            when 'nederland' then 'netherlands' when 'europa' then 'europe'
            when 'buiten_europa' then 'outside_europe'
            else 'unknown' end                                               as breakdown_migration_background,
        case c.is_multiply_vulnerable
            when true then 'yes' when false then 'no' else 'unknown' end     as breakdown_multiple_vulnerability,
        case when b.parity = 0 then 'first_child'
            when b.parity > 0 then 'not_first_child' else 'unknown' end      as breakdown_parity,
        case when b.plurality = 1 then 'singleton'
            when b.plurality > 1 then 'multiple' else 'unknown' end          as breakdown_plurality
    from births as b
    inner join harmonised as h
        on h.from_year = b.year and h.record_key = b.child_id
    inner join pregnancies as p
        on p.year = b.year and p.child_id = b.child_id
    left join cbs as c
        on c.year = b.year and c.child_id = b.child_id
    left join vektis as v
        on v.year = b.year and v.child_id = b.child_id
)

select * from flagged
{%- endmacro %}
