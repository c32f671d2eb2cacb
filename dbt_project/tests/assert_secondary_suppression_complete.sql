-- Secondary suppression converged: no group of additive cells has exactly one withheld cell
-- (with records) next to published ones. If this fails, raise var secondary_suppression_rounds.
select g.group_id, count_if(d.is_suppressed and d.denominator > 0) as withheld_cells,
    count_if(not d.is_suppressed) as published_cells
from {{ ref('int_disclosure_groups') }} as g
inner join {{ ref('int_indicator_disclosure') }} as d
    on d.cell_id = g.cell_id
where g.year = {{ build_year() }}
group by g.group_id
having count_if(d.is_suppressed and d.denominator > 0) = 1
    and count_if(not d.is_suppressed) > 0
