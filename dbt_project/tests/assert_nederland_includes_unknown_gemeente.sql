-- Records without a known gemeente are counted, not dropped: the unknown-gemeente bucket of
-- big2 (all births) holds exactly the births without a gemeente in that classification, and
-- Nederland minus the gemeenten equals it.
{%- set target = target_classification_year() %}

with memberships as (
    select distinct classification_year from {{ ref('int_region_membership') }}
),

unplaced as (
    select
        m.classification_year,
        count_if(case when m.classification_year = {{ target }}
            then b.gemeente_code_target else b.gemeente_code_own end is null) as births_without_gemeente
    from {{ ref('int_births') }} as b
    cross join memberships as m
    group by m.classification_year
),

counts as (
    select
        classification_year,
        sum(case when region_level = 'nederland' then denominator else 0 end) as nederland,
        sum(case when region_level = 'gemeente' then denominator else 0 end) as gemeenten,
        sum(case when region_level = 'unknown_gemeente' then denominator else 0 end) as unknown_bucket
    from {{ ref('int_indicator_counts') }}
    where year = {{ build_year() }} and indicator_code = 'big2' and breakdown = 'total'
    group by classification_year
)

select c.*, u.births_without_gemeente
from counts as c
inner join unplaced as u
    on u.classification_year = c.classification_year
where c.unknown_bucket <> u.births_without_gemeente
    or c.nederland - c.gemeenten <> u.births_without_gemeente
