-- Every yearly cell of an earlier year of the pooled period that the mart holds is seen by
-- int_pooled_fixed_cells with its published state. Were the mart not found (it is looked up at
-- compile time, in another database than the model's own), every fixed cell would be 'absent',
-- counted as withheld, and the pooled period would be withheld far more than needed, which no
-- other test would notice.
select f.period, count(*) as cells_seen_as_absent
from {{ ref('int_pooled_fixed_cells') }} as f
inner join {{ ref('indicator_values') }} as m
    on m.year_from = m.year_to
    and m.year_to = f.year_to
    and {{ match_on('m', 'f', ['indicator_code', 'region_code', 'classification_year', 'breakdown', 'breakdown_category']) }}
where f.published_state = 'absent'
group by f.period
