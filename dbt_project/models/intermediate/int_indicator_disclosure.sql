-- Disclosure control of every cell of int_indicator_counts.
-- Primary: withhold a cell whose numerator, denominator or complement (denominator -
-- numerator) is below 10, and a gemeente whose denominator is incomplete (CBS withheld a
-- population cell of it); above gemeente level such a cell counts as 0 and the total is
-- published.
-- Secondary: in every group of int_disclosure_groups where exactly one cell with records is
-- withheld, withhold one more published cell (a child before the parent, smallest denominator
-- first), repeated for var('secondary_suppression_rounds') rounds.
-- The unknown-gemeente bucket is never published as a region, but it is counted in Nederland:
-- when it is small itself (same rules as any cell) it is a withheld member of the Nederland
-- groups, so a single withheld provincie or GGD-regio next to it stays protected. When it is
-- large it exposes nothing and forces no secondary suppression.
-- Census indicators (disclosure_rule 'none_census': the municipal questionnaire counts
-- gemeenten, whose answers are public policy information, not persons) are never withheld and
-- take no part in secondary suppression (int_disclosure_groups holds person-level cells only).
-- A gemeente cell of theirs with an unanswered record is published with reason 'not_answered'
-- (so it cannot be read as a 'no'); any other cell without a denominator is 'denominator_zero'.
-- Cells: the build year's (int_indicator_counts), the pooled period's ending in it
-- (int_indicator_counts_pooled), and, fixed, the earlier years' yearly cells of that period
-- (int_pooled_fixed_cells, is_fixed): those keep the state they were published with (an
-- 'absent' year, not in the mart, is not public and counts as withheld) and are never picked,
-- so an exposed 'pooled_years' group is closed by withholding the pooled cell or the build
-- year's cell.
{%- set rounds = var('secondary_suppression_rounds', 10) | int %}

with counted_cells as (
    select *, false as is_fixed, cast(null as varchar) as published_state
    from {{ ref('int_indicator_counts') }}
    union all by name
    select *, false as is_fixed, cast(null as varchar) as published_state
    from {{ ref('int_indicator_counts_pooled') }}
    union all by name
    select
        year, period, year_from, year_to, indicator_code, classification_year, region_level,
        region_code, region_name, breakdown, breakdown_category, numerator, denominator,
        is_denominator_complete, cell_id, true as is_fixed, published_state
    from {{ ref('int_pooled_fixed_cells') }}
),

classified_cells as (
    select
        c.*,
        i.disclosure_rule,
        coalesce(i.disclosure_rule = 'none_census' and c.region_level = 'gemeente'
            and c.unanswered > 0, false) as is_not_answered
    from counted_cells as c
    inner join {{ ref('indicator_catalogue') }} as i
        on i.indicator_code = c.indicator_code
),

cells as (
    select
        *,
        case
            when is_fixed then null
            when disclosure_rule = 'none_census' then
                case when denominator = 0 and not is_not_answered then 'denominator_zero' end
            when not is_denominator_complete and region_level in ('gemeente', 'split_part')
                then 'denominator_unavailable'
            when denominator < 10 then 'denominator_below_10'
            when numerator < 10 then 'numerator_below_10'
            when denominator - numerator < 10 then 'complement_below_10'
        end as primary_suppression_reason
    from classified_cells
),

all_groups as (
    select group_id, cell_id, is_parent, pick_priority
    from {{ ref('int_disclosure_groups') }}
),

state_0 as materialized (
    select
        cell_id,
        denominator,
        is_fixed,
        case
            when is_fixed then published_state <> 'published'
            else primary_suppression_reason is not null
        end as is_suppressed,
        cast(null as integer) as secondary_round
    from cells
),

{{ secondary_suppression('all_groups', rounds) }}

select
    c.year,
    c.period,
    c.year_from,
    c.year_to,
    c.indicator_code,
    c.classification_year,
    c.region_level,
    c.region_code,
    c.region_name,
    c.breakdown,
    c.breakdown_category,
    c.numerator,
    c.denominator,
    c.is_denominator_complete,
    c.cell_id,
    c.disclosure_rule,
    c.is_fixed,
    c.published_state,
    c.primary_suppression_reason,
    f.secondary_round,
    f.is_suppressed,
    case
        when c.is_fixed then null
        when c.primary_suppression_reason is not null then c.primary_suppression_reason
        when f.is_suppressed then 'secondary_suppression'
        when c.is_not_answered then 'not_answered'
    end as suppression_reason
from cells as c
inner join final_state as f
    on f.cell_id = c.cell_id
