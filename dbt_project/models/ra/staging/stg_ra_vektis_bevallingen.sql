-- Vektis delivery trajectories, keyed on the mother.
select
    {{ ra_person_key('RINPERSOONS', 'RINPERSOON') }}          as mother_key,
    trim(cast(trajectid as varchar))                          as trajectory_id,
    try_cast(bevallingsmaand as integer)                      as delivery_month
from {{ source('raw_ra', 'vektis_bevallingen') }}
