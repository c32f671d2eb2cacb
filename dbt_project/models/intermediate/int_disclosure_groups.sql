-- Additive groups of cells for secondary suppression: each group is a parent cell and child
-- cells whose counts add up to (or, for Nederland with its unknown-gemeente bucket, nearly
-- to) the parent's. If exactly one cell of a group is withheld, subtracting the published
-- ones reveals it; int_indicator_disclosure then withholds another cell of the group.
-- Only indicators with the person-level disclosure rule take part.
-- Cells are those of the build year and of the pooled period ending in it (each period has
-- its own breakdown, geography and same-area groups); 'pooled_years' groups link a pooled cell
-- to its five yearly cells, of which the earlier years' are fixed (int_pooled_fixed_cells).
-- pick_priority: which published cell of an exposed group int_indicator_disclosure withholds
-- first (lowest first): a child before the parent, except in 'pooled_years' groups, where the
-- pooled cell goes first, so that a small earlier year never forces the build year's yearly
-- figure (and with it every later pooled period) to be withheld.
{%- set build = build_year() %}
{%- set target = target_classification_year() %}

with person_level as (
    select indicator_code
    from {{ ref('indicator_catalogue') }}
    where disclosure_rule = 'min_10_both_outcomes'
),

cells as (
    select c.*
    from (
        select * from {{ ref('int_indicator_counts') }}
        union all by name
        select * from {{ ref('int_indicator_counts_pooled') }}
    ) as c
    inner join person_level as i
        on i.indicator_code = c.indicator_code
),

membership as (
    select * from {{ ref('int_region_membership') }}
),

gemeente_cells as (
    select c.*, m.ggd_code, m.provincie_code
    from cells as c
    inner join membership as m
        on m.classification_year = c.classification_year
        and m.gemeente_code = c.region_code
    where c.region_level = 'gemeente'
),

-- breakdown categories add up to the region's total
breakdown_groups as (
    select
        concat_ws('|', 'breakdown', period, classification_year, indicator_code, region_code, breakdown) as group_id,
        'breakdown_categories' as group_type,
        cell_id,
        false as is_parent
    from cells
    where breakdown <> 'total'
    union all
    select distinct
        concat_ws('|', 'breakdown', c.period, c.classification_year, c.indicator_code, c.region_code, c.breakdown),
        'breakdown_categories',
        t.cell_id,
        true
    from cells as c
    inner join cells as t
        on t.period = c.period
        and t.classification_year = c.classification_year
        and t.indicator_code = c.indicator_code
        and t.region_code = c.region_code
        and t.breakdown = 'total'
    where c.breakdown <> 'total'
),

-- member gemeenten add up to their GGD-regio and provincie; provincies (or GGD-regio's) plus
-- the unknown-gemeente bucket add up to Nederland
geography_groups as (
    {%- for parent_level, code_column, child_level in [
        ('ggd_regio', 'ggd_code', 'gemeente'), ('provincie', 'provincie_code', 'gemeente')] %}
    select
        concat_ws('|', '{{ parent_level }}', period, classification_year, indicator_code,
            {{ code_column }}, breakdown, breakdown_category) as group_id,
        '{{ parent_level }}_gemeenten' as group_type,
        cell_id,
        false as is_parent
    from gemeente_cells
    where {{ code_column }} is not null
    union all
    select
        concat_ws('|', '{{ parent_level }}', period, classification_year, indicator_code,
            region_code, breakdown, breakdown_category),
        '{{ parent_level }}_gemeenten',
        cell_id,
        true
    from cells
    where region_level = '{{ parent_level }}'
    union all
    {%- endfor %}
    {%- for child_level in ['provincie', 'ggd_regio'] %}
    select
        concat_ws('|', 'nederland_{{ child_level }}', period, classification_year, indicator_code,
            breakdown, breakdown_category),
        'nederland_{{ child_level }}',
        cell_id,
        region_level = 'nederland'
    from cells
    where region_level in ('nederland', '{{ child_level }}', 'unknown_gemeente')
    {%- if not loop.last %}
    union all
    {%- endif %}
    {%- endfor %}
),

-- a GGD-regio and a provincie with exactly the same member gemeenten (e.g. Fryslân, Zeeland)
-- are the same cell under two codes
area_signatures as (
    select classification_year, 'ggd_regio' as region_level, ggd_code as region_code,
        string_agg(gemeente_code, ',' order by gemeente_code) as members
    from membership
    where ggd_code is not null
    group by all
    union all
    select classification_year, 'provincie', provincie_code,
        string_agg(gemeente_code, ',' order by gemeente_code)
    from membership
    where provincie_code is not null
    group by all
),

same_area_pairs as (
    select p.classification_year, p.region_code as provincie_code, g.region_code as ggd_code
    from area_signatures as p
    inner join area_signatures as g
        on g.classification_year = p.classification_year
        and g.members = p.members
        and g.region_level = 'ggd_regio'
    where p.region_level = 'provincie'
),

same_area_groups as (
    select
        concat_ws('|', 'same_area', c.period, c.classification_year, c.indicator_code, c.region_code,
            c.breakdown, c.breakdown_category) as group_id,
        'same_area' as group_type,
        c.cell_id,
        c.region_level = 'provincie' as is_parent
    from cells as c
    inner join same_area_pairs as s
        on s.classification_year = c.classification_year
        and c.region_level = 'provincie'
        and c.region_code = s.provincie_code
    union all
    select
        concat_ws('|', 'same_area', c.period, c.classification_year, c.indicator_code, s.provincie_code,
            c.breakdown, c.breakdown_category),
        'same_area',
        c.cell_id,
        false
    from cells as c
    inner join same_area_pairs as s
        on s.classification_year = c.classification_year
        and c.region_level = 'ggd_regio'
        and c.region_code = s.ggd_code
),

-- the same area in the two published classifications. A target-classification gemeente is the
-- sum of its predecessors in the build year's classification that went to it whole, plus the
-- parts of split gemeenten allocated to it (split_part cells, never published); a split
-- gemeente is the sum of its parts. GGD-regio, provincie and Nederland cells with the same
-- code in both classifications are linked as well.
predecessors as (
    select to_code, from_code, bool_or(is_split) as is_split
    from {{ ref('stg_gemeente_code_map') }}
    where from_year = {{ build }} and to_year = {{ target }}
    group by all
),

own_cells as (
    select *
    from cells
    where classification_year = {{ build }} and {{ build }} <> {{ target }}
),

target_cells as (
    -- yearly cells only: the pooled period exists on the target classification alone
    select *
    from cells
    where classification_year = {{ target }} and {{ build }} <> {{ target }}
        and period = '{{ build }}'
        and exists (select 1 from own_cells)
),

reclassification_groups as (
    -- parent: the area in the target classification
    select
        concat_ws('|', 'reclassification', t.period, t.indicator_code, t.region_level, t.region_code,
            t.breakdown, t.breakdown_category) as group_id,
        'reclassification' as group_type,
        t.cell_id,
        true as is_parent
    from target_cells as t
    where t.region_level <> 'split_part'
    union all
    -- children of a gemeente: whole predecessors and allocated parts of split gemeenten
    select
        concat_ws('|', 'reclassification', t.period, t.indicator_code, t.region_level, t.region_code,
            t.breakdown, t.breakdown_category),
        'reclassification',
        o.cell_id,
        false
    from target_cells as t
    inner join predecessors as p
        on t.region_level = 'gemeente' and p.to_code = t.region_code
    inner join cells as o
        on o.period = t.period
        and o.indicator_code = t.indicator_code
        and o.breakdown = t.breakdown
        and o.breakdown_category = t.breakdown_category
        and (
            (not p.is_split and o.classification_year = {{ build }}
                and o.region_level = 'gemeente' and o.region_code = p.from_code)
            or (p.is_split and o.classification_year = {{ target }}
                and o.region_level = 'split_part' and o.region_code = p.from_code || '>' || p.to_code)
        )
    union all
    -- child of a GGD-regio, provincie or Nederland: the same code in the build year's classification
    select
        concat_ws('|', 'reclassification', t.period, t.indicator_code, t.region_level, t.region_code,
            t.breakdown, t.breakdown_category),
        'reclassification',
        o.cell_id,
        false
    from target_cells as t
    inner join own_cells as o
        on o.region_level = t.region_level
        and o.region_code = t.region_code
        and o.period = t.period
        and o.indicator_code = t.indicator_code
        and o.breakdown = t.breakdown
        and o.breakdown_category = t.breakdown_category
    where t.region_level not in ('gemeente', 'split_part')
),

split_groups as (
    -- a split gemeente (build year's classification) is the sum of its allocated parts
    select
        concat_ws('|', 'split', o.period, o.indicator_code, o.region_code, o.breakdown,
            o.breakdown_category) as group_id,
        'split' as group_type,
        o.cell_id,
        true as is_parent
    from own_cells as o
    where o.region_level = 'gemeente'
        and o.region_code in (select from_code from predecessors where is_split)
    union all
    select
        concat_ws('|', 'split', t.period, t.indicator_code, split_part(t.region_code, '>', 1),
            t.breakdown, t.breakdown_category),
        'split',
        t.cell_id,
        false
    from target_cells as t
    where t.region_level = 'split_part'
),

-- a pooled cell is the sum of its five yearly cells: the build year's (changeable) and the
-- earlier years' as published before (fixed)
pooled_cells as (
    select *
    from cells
    where period <> '{{ build }}'
        and region_level in ('gemeente', 'ggd_regio', 'provincie', 'nederland')
),

yearly_members as (
    select indicator_code, classification_year, region_code, breakdown, breakdown_category, cell_id
    from cells
    where period = '{{ build }}'
    union all
    select f.indicator_code, f.classification_year, f.region_code, f.breakdown, f.breakdown_category, f.cell_id
    from {{ ref('int_pooled_fixed_cells') }} as f
    inner join person_level as i
        on i.indicator_code = f.indicator_code
),

pooled_years_groups as (
    select
        concat_ws('|', 'pooled_years', p.period, p.classification_year, p.indicator_code, p.region_code,
            p.breakdown, p.breakdown_category) as group_id,
        'pooled_years' as group_type,
        p.cell_id,
        true as is_parent
    from pooled_cells as p
    union all
    select
        concat_ws('|', 'pooled_years', p.period, p.classification_year, p.indicator_code, p.region_code,
            p.breakdown, p.breakdown_category),
        'pooled_years',
        y.cell_id,
        false
    from pooled_cells as p
    inner join yearly_members as y
        on y.indicator_code = p.indicator_code
        and y.classification_year = p.classification_year
        and y.region_code = p.region_code
        and y.breakdown = p.breakdown
        and y.breakdown_category = p.breakdown_category
)

select
    cast({{ build }} as integer) as year,
    group_id,
    group_type,
    cell_id,
    is_parent,
    case
        when group_type = 'pooled_years' then case when is_parent then 1 else 2 end
        else case when is_parent then 2 else 1 end
    end as pick_priority
from (
    select * from breakdown_groups
    union all
    select * from geography_groups
    union all
    select * from same_area_groups
    union all
    select * from reclassification_groups
    union all
    select * from split_groups
    union all
    select * from pooled_years_groups
)
