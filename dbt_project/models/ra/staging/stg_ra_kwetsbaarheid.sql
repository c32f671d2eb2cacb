-- The prediction of multiple vulnerability per child.
select
    {{ ra_person_key('RINPERSOONS_Kind', 'RINPERSOON_Kind') }} as child_key,
    {{ ja_nee_to_boolean('voorspelling_kwetsbaar') }}         as is_predicted_vulnerable
from {{ source('raw_ra', 'kwetsbaarheid') }}
