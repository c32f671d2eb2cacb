-- Child to its legal parents (one row per child).
select
    {{ ra_person_key('RINPERSOONS', 'RINPERSOON') }}          as child_key,
    {{ ra_person_key('RINPERSOONSMa', 'RINPERSOONMa') }}      as mother_key,
    {{ ra_person_key('RINPERSOONSpa', 'RINPERSOONpa') }}      as other_parent_key
from {{ source('raw_ra', 'kindoudertab') }}
