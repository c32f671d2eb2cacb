-- The build year's cbs_linked records (children linked to their legal parents) in the
-- extract's columns, as text. Debts and mental health: the mother or the other parent, or the
-- mother only, as the edition of the definitions says (var ksm_editions, `parents`).
{%- set other_parent_counts = edition_entry().parents == 'mother_or_other_parent' %}
select
    b.child_key                                                                 as kind_id,
    cast(b.birth_year as varchar)                                               as jaar,
    coalesce(cast(mb.income_quintile as varchar), '')                           as inkomen_kwintiel,
    coalesce(mb.education, 'onbekend')                                          as opleiding_moeder,
    coalesce(mb.migration_background, 'onbekend')                               as migratieachtergrond,
    case when coalesce(mf.has_problematic_debts, false)
           {%- if other_parent_counts %} or coalesce(pf.has_problematic_debts, false){% endif %}
        then '1' else '0' end                                                   as problematische_schulden,
    case when coalesce(mf.has_mental_health_care, false)
           {%- if other_parent_counts %} or coalesce(pf.has_mental_health_care, false){% endif %}
        then '1' else '0' end                                                   as psychische_problemen,
    case v.is_predicted_vulnerable when true then '1' when false then '0' else '' end as meervoudig_kwetsbaar
from {{ ref('int_ra_births') }} as b
left join {{ ref('int_ra_mother_breakdowns') }} as mb on mb.mother_key = b.mother_key
left join {{ ref('int_ra_parent_flags') }} as mf on mf.person_key = b.mother_key
left join {{ ref('int_ra_parent_flags') }} as pf on pf.person_key = b.other_parent_key
left join {{ ref('stg_ra_kwetsbaarheid') }} as v on v.child_key = b.child_key
where b.has_parents_link and b.child_key is not null
order by b.child_key
