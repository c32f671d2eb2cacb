-- The build year's children aged 0-1 with a youth-protection measure, gemeente harmonised.
{%- set build = build_year() %}
{%- set target = target_classification_year() %}

with records as (
    select *
    from {{ ref('stg_youth_protection') }}
    where year = {{ build }}
),

harmonised as {{ harmonise_gemeente(
    records='records', key='child_id', code='gemeente_code', status='gemeente_code_status',
    year_column='year', to_year=target) }}

select
    r.year,
    r.source_file,
    r.source_row,
    r.child_id,
    r.gemeente_code,
    r.gemeente_code_status,
    case when r.gemeente_code_status = 'ok' then r.gemeente_code end          as gemeente_code_own,
    cast({{ target }} as integer)                                           as classification_year,
    h.gemeente_code_target,
    h.harmonisation_method,
    r.age_years,
    r.has_residential_care_overlap,
    coalesce(r.age_years between 0 and 1 and r.has_residential_care_overlap, false)
                                                                            as is_out_of_home_placement
from records as r
inner join harmonised as h
    on h.from_year = r.year and h.record_key = r.child_id
