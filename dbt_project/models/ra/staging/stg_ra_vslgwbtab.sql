-- Addresses with a BAG object and their gemeente per classification year (gemYYYY).
select
    trim(cast(SOORTOBJECTNUMMER as varchar)) || ':' || trim(cast(RINOBJECTNUMMER as varchar)) as address_key,
    columns('(?i)^gem[0-9]{4}$')
from {{ source('raw_ra', 'vslgwbtab') }}
