-- Where each mother of the build year's births and youth-protection children lived on 30 June:
-- her address spell covering the day (the latest-starting when spells overlap; else, as a
-- fallback, her first address after it within the year), its address
-- object's gemeente in the year's own classification and in the target classification of the
-- build (target_classification_year). Choosing the classification is choosing the column: a split gemeente's
-- births go to the part their address is in, without shares.
{%- set year = build_year() %}
{%- set bag = ref('stg_ra_vslgwbtab') %}
{%- set non_bag = ref('stg_ra_nietvslgwbtab') %}
{%- set columns = ra_classification_columns(source('raw_ra', 'vslgwbtab')) %}
{%- if execute and year not in columns %}
    {{ exceptions.raise_compiler_error("raw_ra.vslgwbtab has no gemeente column gem" ~ year ~ " for the births of " ~ year
        ~ " (it has " ~ (columns | join(', ') or 'none') ~ ")") }}
{%- endif %}
{#- the target classification's column, or the newest the address table has before it -#}
{%- set newest = (columns | select('le', target_classification_year()) | list + [year]) | max %}
{%- set non_bag_columns = ra_classification_columns(source('raw_ra', 'nietvslgwbtab')) %}
with mothers as (
    select mother_key from {{ ref('int_ra_births') }} where mother_key is not null
    union
    select mother_key from {{ ref('int_ra_youth_protection') }} where mother_key is not null
),
spells as (
    -- the spell covering 30 June; failing that (she arrived later in the year) the first spell
    -- that starts after it within the year: a fallback, counted apart
    select s.person_key, s.address_key,
        case when s.starts_on <= make_date({{ year }}, 6, 30) then 'adres' else 'terugval' end as placement
    from {{ ref('stg_ra_gbaadresobjectbus') }} as s
    semi join mothers as m on m.mother_key = s.person_key
    where s.starts_on <= make_date({{ year }}, 12, 31)
      and coalesce(s.ends_on, date '9999-12-31') >= make_date({{ year }}, 6, 30)
    qualify row_number() over (
        partition by s.person_key
        order by s.starts_on > make_date({{ year }}, 6, 30),
                 abs(date_diff('day', s.starts_on, make_date({{ year }}, 6, 30))), s.address_key) = 1
),
addresses as (
    select address_key, gem{{ year }} as own, gem{{ newest }} as newest from {{ bag }}
    union all
    select address_key,
        {{ ('gem' ~ year) if year in non_bag_columns else 'null' }},
        {{ ('gem' ~ newest) if newest in non_bag_columns else 'null' }}
    from {{ non_bag }}
)
select
    m.mother_key,
    {{ ra_gemeente_code('a.own', year) }}                     as gemeente_code,
    {{ ra_gemeente_code('a.newest', newest) }}                as current_gemeente_code,
    {{ newest }}                                              as current_classification_year,
    case when gemeente_code is not null then s.placement else 'geen' end as placement
from mothers as m
left join spells as s on s.person_key = m.mother_key
left join addresses as a on a.address_key = s.address_key
qualify row_number() over (partition by m.mother_key order by gemeente_code nulls last) = 1
