-- Mental-health-care costs per person and year (the variables changed in 2022).
select
    {{ ra_person_key('RINPERSOONS', 'RINPERSOON') }}          as person_key,
    ra_year                                                   as year,
    {{ ra_optional(source('raw_ra', 'zvwzorgkostentab'), 'ZVWKGENBASGGZ', 'double') }}    as basic_mental_health_costs,
    {{ ra_optional(source('raw_ra', 'zvwzorgkostentab'), 'ZVWKSPECGGZ', 'double') }}      as specialised_mental_health_costs,
    {{ ra_optional(source('raw_ra', 'zvwzorgkostentab'), 'ZVWKGGZZPMTOTAAL', 'double') }} as total_mental_health_costs
from {{ source('raw_ra', 'zvwzorgkostentab') }}
