-- Every region of every loaded classification year with its parents.
with regions as (
    select * from {{ ref('stg_regions') }}
),

gemeenten as (
    select
        classification_year,
        gemeente_code        as region_code,
        gemeente_name        as region_name,
        'gemeente'           as region_level,
        ggd_code,
        ggd_name,
        provincie_code,
        provincie_name
    from regions
),

ggd_regios as (
    select
        classification_year,
        ggd_code                                                                  as region_code,
        min(ggd_name)                                                             as region_name,
        'ggd_regio'                                                               as region_level,
        ggd_code,
        min(ggd_name)                                                             as ggd_name,
        case when count(distinct provincie_code) = 1 then min(provincie_code) end as provincie_code,
        case when count(distinct provincie_code) = 1 then min(provincie_name) end as provincie_name
    from regions
    where ggd_code is not null
    group by classification_year, ggd_code
),

provincies as (
    select
        classification_year,
        provincie_code                                                  as region_code,
        min(provincie_name)                                             as region_name,
        'provincie'                                                     as region_level,
        cast(null as varchar)                                           as ggd_code,
        cast(null as varchar)                                           as ggd_name,
        provincie_code,
        min(provincie_name)                                             as provincie_name
    from regions
    where provincie_code is not null
    group by classification_year, provincie_code
),

nederland as (
    select distinct
        classification_year,
        'NL01'                  as region_code,
        'Nederland'             as region_name,
        'nederland'             as region_level,
        cast(null as varchar)   as ggd_code,
        cast(null as varchar)   as ggd_name,
        cast(null as varchar)   as provincie_code,
        cast(null as varchar)   as provincie_name
    from regions
)

select * from gemeenten
union all
select * from ggd_regios
union all
select * from provincies
union all
select * from nederland
