-- The build year's youth_protection records in the extract's columns, as text: placed at the
-- mother's address on 30 June, like the births.
select
    y.child_key                                                                 as kind_id,
    cast({{ build_year() }} as varchar)                                         as jaar,
    coalesce(pl.gemeente_code, '')                                              as gemeente_code,
    cast(y.age as varchar)                                                      as leeftijd,
    case when y.has_residential_overlap then '1' else '0' end                   as residentieel_overlap
from {{ ref('int_ra_youth_protection') }} as y
left join {{ ref('int_ra_placement') }} as pl on pl.mother_key = y.mother_key
order by y.child_key
