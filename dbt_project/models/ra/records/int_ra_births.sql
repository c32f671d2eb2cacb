-- The build year's Perined children with their parents (KINDOUDERTAB, else Perined's mother),
-- the mother's age at the birth and the parity.
{%- set year = build_year() %}
with perined as (
    select * from {{ ref('stg_ra_perined') }} where birth_year = {{ year }}
),
persons as (
    select
        person_key,
        try_cast(printf('%04d-%02d-%02d', birth_year, birth_month, coalesce(birth_day, 1)) as date) as born_on
    from {{ ref('stg_ra_gbapersoontab') }}
),
live_births as (
    select child_key, mother_rank from {{ ref('stg_ra_gbalevendgeborenen') }} where year = {{ year }}
)
select
    p.child_key,
    coalesce(k.mother_key, p.mother_key)                                  as mother_key,
    k.other_parent_key,
    k.child_key is not null                                               as has_parents_link,
    p.birth_year, p.amww, p.hoftiezer, p.amddd1ond, p.sterfte, p.omv, p.rangnummer,
    coalesce(date_sub('year', mother.born_on, child.born_on), p.mother_age_perined,
             date_sub('year', mother.born_on, make_date({{ year }}, 7, 1))) as mother_age,
    coalesce(lb.mother_rank - 1, p.parity_perined)                        as parity
from perined as p
left join {{ ref('stg_ra_kindoudertab') }} as k on k.child_key = p.child_key
left join persons as child on child.person_key = p.child_key
left join persons as mother on mother.person_key = coalesce(k.mother_key, p.mother_key)
left join live_births as lb on lb.child_key = p.child_key
