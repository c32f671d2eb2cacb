-- Reconciliation: Nederland's total denominator of the births-based indicators equals the
-- number of births of the build year counted straight from staging (live births plus
-- stillbirths from 24 weeks, every record, whatever its gemeente), in every classification,
-- both before disclosure control and in the mart (unless withheld). Fails too when the build
-- year has no births at all.
with births as (
    select count(*) as births
    from {{ ref('stg_perined') }}
    where year = {{ build_year() }}
        and {{ is_counted_birth() }}
),

counted as (
    select 'int_indicator_counts' as model, indicator_code, classification_year, denominator
    from {{ ref('int_indicator_counts') }}
    where year = {{ build_year() }}
        and region_level = 'nederland' and breakdown = 'total'
        and indicator_code in ('big2', 'preterm', 'perinatal_mortality')
    union all
    select 'indicator_values', indicator_code, classification_year, denominator
    from {{ ref('indicator_values') }}
    where year_to = {{ build_year() }} and period = '{{ build_year() }}'
        and region_level = 'nederland' and breakdown = 'total' and not suppressed
        and indicator_code in ('big2', 'preterm', 'perinatal_mortality')
)

select c.*, b.births
from counted as c
cross join births as b
where c.denominator <> b.births
union all
-- a build year without any birth is an error (nothing was loaded for it)
select 'stg_perined', 'no births loaded for the build year', null, null, b.births
from births as b
where b.births = 0
union all
-- Nederland must be there at all when there are births
select 'int_indicator_counts', 'big2', null, null, b.births
from births as b
where b.births > 0
    and not exists (
        select 1 from {{ ref('int_indicator_counts') }}
        where year = {{ build_year() }} and region_level = 'nederland'
            and indicator_code = 'big2' and breakdown = 'total'
    )
