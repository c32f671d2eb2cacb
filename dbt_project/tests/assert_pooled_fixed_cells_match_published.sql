-- Warning only: the earlier years of the pooled period as published in the mart have the
-- counts recomputed from raw now. A difference means raw changed after that year was released
-- (or it was built by another version of the project); rebuild that year so that the yearly
-- and pooled figures agree.
select indicator_code, period, region_code, breakdown, breakdown_category, numerator,
    published_numerator, denominator, published_denominator
from {{ ref('int_pooled_fixed_cells') }}
where published_state = 'published'
    and (published_numerator <> numerator or published_denominator <> denominator)
