-- Regions are built from summed counts: every GGD-regio and provincie equals the sum of its
-- member gemeenten, and Nederland equals the sum of all gemeenten plus the unknown-gemeente
-- bucket (so it is never below the sum of gemeenten).
with counts as (
    select * from {{ ref('int_indicator_counts') }}
    where year = {{ build_year() }}
),

membership as (
    select * from {{ ref('int_region_membership') }}
),

gemeenten as (
    select c.*, m.ggd_code, m.provincie_code
    from counts as c
    inner join membership as m
        on m.classification_year = c.classification_year and m.gemeente_code = c.region_code
    where c.region_level = 'gemeente'
),

expected as (
    select indicator_code, classification_year, 'ggd_regio' as region_level, ggd_code as region_code,
        breakdown, breakdown_category, sum(numerator) as numerator, sum(denominator) as denominator
    from gemeenten
    where ggd_code is not null
    group by all
    union all
    select indicator_code, classification_year, 'provincie', provincie_code,
        breakdown, breakdown_category, sum(numerator), sum(denominator)
    from gemeenten
    where provincie_code is not null
    group by all
)

select e.*, c.numerator as actual_numerator, c.denominator as actual_denominator
from expected as e
left join counts as c
    on {{ match_on('c', 'e') }}
where c.numerator is distinct from e.numerator or c.denominator is distinct from e.denominator
union all
-- Nederland = all gemeenten + the unknown-gemeente bucket, exactly
select n.indicator_code, n.classification_year, 'nederland', 'NL01', n.breakdown, n.breakdown_category,
    coalesce(g.numerator, 0) + coalesce(u.numerator, 0),
    coalesce(g.denominator, 0) + coalesce(u.denominator, 0),
    n.numerator, n.denominator
from counts as n
left join (
    select indicator_code, classification_year, breakdown, breakdown_category,
        sum(numerator) as numerator, sum(denominator) as denominator
    from gemeenten
    group by all
) as g
    on g.indicator_code = n.indicator_code
    and g.classification_year = n.classification_year
    and g.breakdown = n.breakdown
    and g.breakdown_category = n.breakdown_category
left join counts as u
    on u.region_level = 'unknown_gemeente'
    and u.indicator_code = n.indicator_code
    and u.classification_year = n.classification_year
    and u.breakdown = n.breakdown
    and u.breakdown_category = n.breakdown_category
where n.region_level = 'nederland'
    and (n.numerator <> coalesce(g.numerator, 0) + coalesce(u.numerator, 0)
        or n.denominator <> coalesce(g.denominator, 0) + coalesce(u.denominator, 0))
