-- The yearly cells of the EARLIER years of the build year's pooled period (e.g. 2020-2023 for
-- the period 2020-2024), as they stand published in marts.indicator_values, with their counts
-- recomputed from raw (int_pooled_counts_by_year). The pooled cell is the sum of its five
-- yearly cells, so these take part in disclosure control of the pooled period
-- (int_disclosure_groups, group type 'pooled_years'), but as FIXED cells: earlier years are
-- released already and are never changed by this run.
-- published_state: 'published', 'withheld', or 'absent' (no such row in the mart: that year was
-- not built, or on another classification). Absent cells are not public, so disclosure control
-- counts them as withheld; years are built in order, so an absent year stays unpublished until
-- it is built (and a year built later does not revisit pooled periods released before it).
-- The mart is read directly, not through ref(), because indicator_values is built from this
-- model's descendants; on the very first build there is no mart yet and every cell is absent.
-- The mart is in the warehouse (target.database), this model in the build's scratch database.
{%- set build = build_year() %}
{%- set target_year = target_classification_year() %}
{%- set window = pooled_window() %}
{%- set mart = adapter.get_relation(database=target.database, schema='marts', identifier='indicator_values') if execute else none %}

with earlier as (
    select *
    from {{ ref('int_pooled_counts_by_year') }}
    where data_year < {{ build }}
        and region_level in ('gemeente', 'ggd_regio', 'provincie', 'nederland')
),

published as (
    {%- if mart %}
    select indicator_code, year_to as data_year, region_code, classification_year, breakdown,
        breakdown_category, suppressed, numerator, denominator
    from {{ mart }}
    where year_from = year_to
        and year_to between {{ window.year_from }} and {{ build - 1 }}
        and classification_year = {{ target_year }}
    {%- else %}
    {{ no_rows([('indicator_code', 'varchar'), ('data_year', 'integer'), ('region_code', 'varchar'),
                ('classification_year', 'integer'), ('breakdown', 'varchar'), ('breakdown_category', 'varchar'),
                ('suppressed', 'boolean'), ('numerator', 'bigint'), ('denominator', 'bigint')]) }}
    {%- endif %}
)

select
    e.year,
    cast(e.data_year as varchar)                                        as period,
    e.data_year                                                         as year_from,
    e.data_year                                                         as year_to,
    e.indicator_code,
    e.classification_year,
    e.region_level,
    e.region_code,
    e.region_name,
    e.breakdown,
    e.breakdown_category,
    e.numerator,
    e.denominator,
    e.is_denominator_complete,
    concat_ws('|', cast(e.data_year as varchar), e.classification_year, e.indicator_code,
        e.region_code, e.breakdown, e.breakdown_category)               as cell_id,
    case
        when p.region_code is null then 'absent'
        when p.suppressed then 'withheld'
        else 'published'
    end                                                                 as published_state,
    p.numerator                                                         as published_numerator,
    p.denominator                                                       as published_denominator
from earlier as e
left join published as p
    on p.data_year = e.data_year
    and {{ match_on('p', 'e', ['indicator_code', 'region_code', 'classification_year', 'breakdown', 'breakdown_category']) }}
