-- Numerator and denominator per indicator x region x breakdown category for the build year, in
-- every published classification: count_cells() over a one-year window (macros/count_cells.sql,
-- the same SQL as the pooled period's int_pooled_counts_by_year). Region levels: gemeente,
-- ggd_regio, provincie, nederland, and, never published, unknown_gemeente (records without a
-- known gemeente: Nederland = the gemeenten + that bucket) and split_part (the part of a split
-- gemeente allocated to each successor, when the build year's own classification is published).
-- unanswered: questionnaire records without an answer to the indicator's question (counted
-- whatever the denominator says), so a gemeente that did not answer can be told from a 'no'.
{%- set build = build_year() %}

select
    cast({{ build }} as integer)                                  as year,
    cast({{ build }} as varchar)                                  as period,
    cast({{ build }} as integer)                                  as year_from,
    cast({{ build }} as integer)                                  as year_to,
    {{ cell_keys() | join(', ') }},
    region_name,
    numerator,
    denominator,
    is_denominator_complete,
    unanswered,
    concat_ws('|', cast({{ build }} as varchar), classification_year, indicator_code,
        region_code, breakdown, breakdown_category)               as cell_id
from ({{ count_cells(counting_window('year', build, target_classification_year(), include_own_classification())) }}) as cells
