-- How the build year's records were placed in the target classification, per source:
-- counts per code status and harmonisation method. Records without a target gemeente
-- (harmonisation_method 'unknown_gemeente' or 'not_in_code_map') count for Nederland only;
-- this table reports them so they are never dropped silently.
{%- set build = build_year() %}

with records as (
    select 'perined' as source, classification_year, gemeente_code_status, harmonisation_method,
        gemeente_code_target, 1 as n
    from {{ ref('int_births') }}
    union all
    select 'youth_protection', classification_year, gemeente_code_status, harmonisation_method,
        gemeente_code_target, 1
    from {{ ref('int_youth_protection') }}
    union all
    select 'questionnaire', classification_year, gemeente_code_status, harmonisation_method,
        gemeente_code_target, 1
    from {{ ref('int_questionnaire') }}
)

select
    cast({{ build }} as integer)                   as year,
    source,
    classification_year,
    gemeente_code_status,
    harmonisation_method,
    gemeente_code_target is not null               as has_target_gemeente,
    cast(sum(n) as bigint)                         as records
from records
group by all
