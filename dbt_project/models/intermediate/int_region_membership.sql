-- Gemeente -> GGD-regio -> provincie for the classification years this run publishes:
-- the target classification and (var include_own_classification) the build year's own one.
{%- set build = build_year() %}
{%- set target = target_classification_year() %}

select
    classification_year,
    gemeente_code,
    gemeente_name,
    ggd_code,
    ggd_name,
    provincie_code,
    provincie_name,
    classification_year = {{ target }} as is_target_classification
from {{ ref('stg_regions') }}
where classification_year = {{ target }}
{%- if include_own_classification() %}
    or classification_year = {{ build }}
{%- endif %}
