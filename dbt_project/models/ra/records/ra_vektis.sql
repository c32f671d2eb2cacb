-- The build year's vektis records in the extract's columns, as text: live births whose mother
-- has a delivery trajectory in the year (the latest), whether it has a claim for kraamzorg
-- per hour from the delivery month on, and whether mother or child had a long-stay product.
{%- set year = build_year() %}
with trajectories as (
    select mother_key, trajectory_id, delivery_month
    from {{ ref('stg_ra_vektis_bevallingen') }}
    where delivery_month // 100 = {{ year }}
    qualify row_number() over (partition by mother_key order by delivery_month desc, trajectory_id desc) = 1
),
kraamzorg as (
    select distinct z.mother_key, z.trajectory_id
    from {{ ref('stg_ra_vektis_zorg') }} as z
    inner join trajectories as t
        on t.mother_key = z.mother_key and t.trajectory_id = z.trajectory_id and z.claim_month >= t.delivery_month
    where lower(z.claim_category) = 'kraamzorg per uur'
),
long_stay as (
    select distinct m.person_key
    from {{ ref('stg_ra_mszprestatiesvekttab') }} as m
    inner join {{ ref('long_stay_care_products') }} as l on l.care_product = m.care_product
    where m.year = {{ year }}
)
select
    b.child_key                                                                 as kind_id,
    cast(b.birth_year as varchar)                                               as jaar,
    case when k.trajectory_id is not null then '1' else '0' end                 as kraamzorg_declaratie,
    case when b.mother_key in (select person_key from long_stay)
           or b.child_key in (select person_key from long_stay) then '1' else '0' end as lange_opname
from {{ ref('int_ra_births') }} as b
inner join trajectories as t on t.mother_key = b.mother_key
left join kraamzorg as k on k.mother_key = t.mother_key and k.trajectory_id = t.trajectory_id
where coalesce(b.sterfte, 0) not in (1, 2) and b.child_key is not null
order by b.child_key
