-- Per mother of the build year's births: household income quintile, education level and
-- migration background, in the extract's categories.
{%- set year = build_year() %}
with mothers as (
    select distinct mother_key from {{ ref('int_ra_births') }} where mother_key is not null
),
income as (
    select h.person_key, i.income_percentile
    from {{ ref('stg_ra_koppelpersoonhuishouden') }} as h
    inner join {{ ref('stg_ra_inhatab') }} as i on i.household_key = h.household_key and i.year = h.year
    where h.year = {{ year }}
    qualify row_number() over (partition by h.person_key order by i.income_percentile) = 1
),
education as (
    select e.person_key, c.level_code
    from {{ ref('stg_ra_hoogsteopltab') }} as e
    left join {{ ref('stg_ra_opleidingsnrref') }} as o on o.education_number = e.education_number
    left join {{ ref('stg_ra_ctoref') }} as c on c.cto_code = o.cto_code
    where e.year = {{ year }}
    qualify row_number() over (partition by e.person_key order by c.level_code) = 1
)
select
    m.mother_key,
    -- percentile cut-offs 20/40/60/80; a negative percentile is unknown, not quintile 1
    case when inc.income_percentile between 1 and 100 then least(5, (inc.income_percentile + 19) // 20) end
                                                              as income_quintile,
    case left(edu.level_code, 1) when '1' then 'laag' when '2' then 'midden' when '3' then 'hoog'
        else 'onbekend' end                                   as education,
    case when p.origin_country_code = '6030' then 'nederland'
         when land.world_part = 'Europa' then 'europa'
         when land.country_code is not null then 'buiten_europa'
         else 'onbekend' end                                  as migration_background
from mothers as m
left join income as inc on inc.person_key = m.mother_key
left join education as edu on edu.person_key = m.mother_key
left join {{ ref('stg_ra_gbapersoontab') }} as p on p.person_key = m.mother_key
left join {{ ref('stg_ra_landaktueelref') }} as land on land.country_code = p.origin_country_code
