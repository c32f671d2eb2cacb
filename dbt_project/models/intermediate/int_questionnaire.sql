-- The build year's questionnaire answers, one row per gemeente asked, gemeente harmonised.
{%- set build = build_year() %}
{%- set target = target_classification_year() %}

with records as (
    select
        *,
        source_file || '#' || cast(source_row as varchar) as record_key
    from {{ ref('stg_questionnaire') }}
    where year = {{ build }}
),

harmonised as {{ harmonise_gemeente(
    records='records', key='record_key', code='gemeente_code', status='gemeente_code_status',
    year_column='year', to_year=target) }}

select
    r.year,
    r.source_file,
    r.source_row,
    r.gemeente_code,
    r.gemeente_code_delivered,
    r.gemeente_code_status,
    {{ placed_gemeente_columns('r', 'h', target) }},
    r.gemeente_name_reported,
    r.has_coalition,
    r.has_action_plan,
    r.offers_prenatal_home_visits,
    r.offers_nu_niet_zwanger
from records as r
inner join harmonised as h
    on h.from_year = r.year and h.record_key = r.record_key
