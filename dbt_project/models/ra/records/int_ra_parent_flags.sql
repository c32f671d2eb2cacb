-- Per parent (mother or other legal parent) of the build year's births: problematic debts
-- (debt restructuring active in the year, or listed for unpaid premium in the year) and
-- mental-health care (care costs, or a medicine of the ATC4 list, in the year).
{%- set year = build_year() %}
{%- set mental_health_atc4 = ['N05A', 'N05B', 'N05C', 'N06A', 'N06B', 'N06C'] %}
with parents as (
    select mother_key as person_key from {{ ref('int_ra_births') }} where mother_key is not null
    union
    select other_parent_key from {{ ref('int_ra_births') }} where other_parent_key is not null
),
debts as (
    select person_key from {{ ref('stg_ra_wsnppersbus') }}
    where admitted_on <= make_date({{ year }}, 12, 31)
      and coalesce(ended_on, date '9999-12-31') >= make_date({{ year }}, 1, 1)
    union
    select person_key from {{ ref('stg_ra_wanbzvwtab') }} where year = {{ year }}
),
mental_health as (
    select person_key from {{ ref('stg_ra_zvwzorgkostentab') }}
    where year = {{ year }}
    {%- if year < 2022 %}
      and (coalesce(basic_mental_health_costs, 0) > 0 or coalesce(specialised_mental_health_costs, 0) > 0)
    {%- else %}
      and coalesce(total_mental_health_costs, 0) > 0   -- one total from 2022 on
    {%- endif %}
    union
    select person_key from {{ ref('stg_ra_medicijntab') }}
    where year = {{ year }} and atc4 in ('{{ mental_health_atc4 | join("', '") }}')
)
select
    p.person_key,
    p.person_key in (select person_key from debts)            as has_problematic_debts,
    p.person_key in (select person_key from mental_health)    as has_mental_health_care
from parents as p
