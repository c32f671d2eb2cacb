-- Debt-restructuring spells.
select
    {{ ra_person_key('RINPERSOONS', 'RINPERSOON') }}          as person_key,
    {{ ra_date('WSNPDATUMTOELAAT') }}                         as admitted_on,
    {{ ra_date('WSNPDATUMBEEIN') }}                           as ended_on
from {{ source('raw_ra', 'wsnppersbus') }}
