-- Live births per year with the mother's rank number.
select
    {{ ra_person_key('RINPERSOONS', 'RINPERSOON') }}          as child_key,
    ra_year                                                   as year,
    try_cast(RANGNUMMERMOEDER as integer)                     as mother_rank
from {{ source('raw_ra', 'gbalevendgeborenen') }}
