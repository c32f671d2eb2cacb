-- Children born in the build year or the year before with a youth-protection measure (OTS or
-- guardianship: 11, 12, 21, 22, 23) valid in the year, and whether youth care with stay
-- (forms 11-14) overlapped that measure within the year: both spells must cover a common day.
{%- set year = build_year() %}
{%- set year_start = "make_date(" ~ year ~ ", 1, 1)" %}
{%- set year_end = "make_date(" ~ year ~ ", 12, 31)" %}
with measures as (
    select person_key, greatest(valid_from, {{ year_start }}) as starts_on,
           least(coalesce(valid_to, {{ year_end }}), {{ year_end }}) as ends_on
    from {{ ref('stg_ra_jgdbeschermbus') }}
    where measure in (11, 12, 21, 22, 23)
      and valid_from <= {{ year_end }} and coalesce(valid_to, {{ year_end }}) >= {{ year_start }}
),
stays as (
    select person_key, valid_from, coalesce(valid_to, {{ year_end }}) as valid_to
    from {{ ref('stg_ra_jgdhulpbus') }}
    where care_form between 11 and 14
),
children as (
    select person_key, birth_year from {{ ref('stg_ra_gbapersoontab') }}
    where birth_year in ({{ year - 1 }}, {{ year }})
)
select
    c.person_key                                              as child_key,
    {{ year }} - c.birth_year                                 as age,
    k.mother_key,
    bool_or(s.person_key is not null)                         as has_residential_overlap
from children as c
inner join measures as m on m.person_key = c.person_key
left join stays as s
    on s.person_key = m.person_key and s.valid_from <= m.ends_on and s.valid_to >= m.starts_on
left join {{ ref('stg_ra_kindoudertab') }} as k on k.child_key = c.person_key
group by all
