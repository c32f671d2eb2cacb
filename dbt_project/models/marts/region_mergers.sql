-- Municipal mergers and splits with their allocation shares (1.0 for a whole merger).
select
    old_code,
    old_name,
    new_code,
    new_name,
    merger_date,
    classification_year,
    allocation_share
from {{ ref('stg_region_mergers') }}
