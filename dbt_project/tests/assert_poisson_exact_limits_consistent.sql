-- The seed of exact Poisson limits is complete and coherent: one row for each count 0-9, each
-- interval holds its count (lower 0 at 0 events), the 99.8% interval holds the 95% one, and
-- both bounds grow with the count.
with limits as (
    select
        *,
        lag(lower_95) over (order by events)  as previous_lower_95,
        lag(upper_95) over (order by events)  as previous_upper_95,
        lag(lower_998) over (order by events) as previous_lower_998,
        lag(upper_998) over (order by events) as previous_upper_998
    from {{ ref('poisson_exact_limits') }}
)

select events, lower_95, upper_95, lower_998, upper_998, 'bad row' as problem
from limits
where not (lower_95 <= events and events <= upper_95)
    or (events = 0 and (lower_95 <> 0 or lower_998 <> 0))
    or lower_998 > lower_95 or upper_998 < upper_95
    or lower_95 <= previous_lower_95 or upper_95 <= previous_upper_95
    or lower_998 <= previous_lower_998 or upper_998 <= previous_upper_998
union all
select null, null, null, null, null, 'expected the 10 counts 0-9, found ' || count(*)
from {{ ref('poisson_exact_limits') }}
having count(*) <> 10 or min(events) <> 0 or max(events) <> 9
