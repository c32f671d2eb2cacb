-- Hospital care products per person and year.
select
    {{ ra_person_key('RINPERSOONS', 'RINPERSOON') }}          as person_key,
    ra_year                                                   as year,
    trim(cast(VEKTMSZDBCZorgproduct as varchar))              as care_product
from {{ source('raw_ra', 'mszprestatiesvekttab') }}
