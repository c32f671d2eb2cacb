-- Municipal mergers and splits.
select
    cast(merger_date as date)                as merger_date,
    cast(classification_year as integer)     as classification_year,
    old_code,
    old_name,
    new_code,
    new_name,
    cast(share as double)                    as allocation_share
from {{ source('raw', 'region_mergers') }}
