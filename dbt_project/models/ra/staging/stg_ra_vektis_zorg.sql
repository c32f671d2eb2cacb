-- Vektis birth-care claims per trajectory, keyed on the mother.
select
    {{ ra_person_key('RINPERSOONS', 'RINPERSOON') }}          as mother_key,
    trim(cast(trajectid as varchar))                          as trajectory_id,
    try_cast(prestatiemaand as integer)                       as claim_month,
    trim(cast(ib_indeling as varchar))                        as claim_category
from {{ source('raw_ra', 'vektis_zorg') }}
