-- Reference: country code to name and part of the world.
select
    trim(cast(LAND as varchar))                               as country_code,
    trim(cast(LANDNAAM as varchar))                           as country_name,
    trim(cast(WERELDDEEL as varchar))                         as world_part
from {{ source('raw_ra', 'landaktueelref') }}
