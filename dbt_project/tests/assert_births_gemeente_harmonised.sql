-- Every birth with a valid code ('ok') reaches a gemeente of the target classification that
-- exists in int_region_membership: a gap in the code map or the region list fails loudly
-- instead of moving births silently into the unknown bucket.
{%- set target = target_classification_year() %}

select b.child_id, b.gemeente_code, b.gemeente_code_status, b.gemeente_code_target, b.harmonisation_method
from {{ ref('int_births') }} as b
left join {{ ref('int_region_membership') }} as m
    on m.classification_year = {{ target }} and m.gemeente_code = b.gemeente_code_target
where b.year = {{ build_year() }}
    and (
        (b.gemeente_code_status = 'ok' and b.gemeente_code_target is null)
        or (b.gemeente_code_target is not null and m.gemeente_code is null)
        or (b.gemeente_code_status <> 'ok' and b.gemeente_code_target is not null)
    )
