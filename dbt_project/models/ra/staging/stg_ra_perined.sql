-- The linked Perined delivery: one row per child.
select
    {{ ra_person_key('RINPERSOONS_Kind', 'Rinpersoon_Kind') }}     as child_key,
    {{ ra_person_key('RINPERSOONS_Moeder', 'Rinpersoon_Moeder') }} as mother_key,
    try_cast(jaar as integer)                                 as birth_year,
    try_cast(amww as integer)                                 as amww,
    {{ ra_optional(source('raw_ra', 'perined'), 'hoftiezer', 'double') }}  as hoftiezer,
    {{ ra_optional(source('raw_ra', 'perined'), 'amddd1ond', 'integer') }} as amddd1ond,
    try_cast(sterfte as integer)                              as sterfte,
    try_cast(omv as integer)                                  as omv,
    try_cast(rangnummer as integer)                           as rangnummer,
    {{ ra_optional(source('raw_ra', 'perined'), 'lft', 'integer') }}       as mother_age_perined,
    {{ ra_optional(source('raw_ra', 'perined'), 'par', 'integer') }}       as parity_perined
from {{ source('raw_ra', 'perined') }}
