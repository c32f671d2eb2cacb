-- Additive groups of cells for secondary suppression: each group is a parent cell and child
-- cells whose counts add up to (or, for Nederland with its unknown-gemeente bucket, nearly
-- to) the parent's. If exactly one cell of a group is withheld, subtracting the published
-- ones reveals it; int_indicator_disclosure then withholds another cell of the group.
-- Only indicators with the person-level disclosure rule take part. Every kind of group is one
-- call of disclosure_group() (macros/disclosure_groups.sql): its parents and its children.
-- Cells are those of the build year and of the pooled period ending in it (each period has
-- its own breakdown, geography and same-area groups); 'pooled_years' groups link a pooled cell
-- to its five yearly cells, of which the earlier years' are fixed (int_pooled_fixed_cells).
-- pick_priority: which published cell of an exposed group int_indicator_disclosure withholds
-- first (lowest first): a child before the parent, except in 'pooled_years' groups, where the
-- pooled cell goes first, so that a small earlier year never forces the build year's yearly
-- figure (and with it every later pooled period) to be withheld.
{%- set build = build_year() %}
{%- set target = target_classification_year() %}
{%- set cell = ['period', 'classification_year', 'indicator_code'] %}
{%- set category = ['breakdown', 'breakdown_category'] %}

with person_level as (
    select indicator_code from {{ ref('indicator_catalogue') }}
    where disclosure_rule = 'min_10_both_outcomes'
),

cells as (
    select c.*, m.ggd_code, m.provincie_code
    from (
        select * from {{ ref('int_indicator_counts') }}
        union all by name
        select * from {{ ref('int_indicator_counts_pooled') }}
    ) as c
    inner join person_level as i
        on i.indicator_code = c.indicator_code
    left join {{ ref('int_region_membership') }} as m
        on c.region_level = 'gemeente' and m.classification_year = c.classification_year
        and m.gemeente_code = c.region_code
),

-- a GGD-regio and a provincie with exactly the same member gemeenten (e.g. Fryslân, Zeeland)
-- are the same cell under two codes
same_area as (
    select p.classification_year, p.provincie_code, g.ggd_code
    from (select classification_year, provincie_code, string_agg(gemeente_code, ',' order by gemeente_code) as members
          from {{ ref('int_region_membership') }} where provincie_code is not null group by all) as p
    inner join (select classification_year, ggd_code, string_agg(gemeente_code, ',' order by gemeente_code) as members
          from {{ ref('int_region_membership') }} where ggd_code is not null group by all) as g
        on g.classification_year = p.classification_year and g.members = p.members
),

-- the build year's own classification against the target one (yearly cells only: the pooled
-- period exists on the target classification alone): a target gemeente is the sum of its
-- whole predecessors plus the split parts allocated to it; a split gemeente is the sum of its
-- parts; GGD-regio, provincie and Nederland are linked by code
predecessors as (
    select to_code, from_code, bool_or(is_split) as is_split
    from {{ ref('stg_gemeente_code_map') }}
    where from_year = {{ build }} and to_year = {{ target }} and {{ build }} <> {{ target }}
    group by all
),

own_cells as (
    select * from cells where classification_year = {{ build }} and {{ build }} <> {{ target }}
),

target_cells as (
    select * from cells
    where classification_year = {{ target }} and {{ build }} <> {{ target }} and period = '{{ build }}'
        and exists (select 1 from own_cells)
),

-- a pooled cell is the sum of its five yearly cells: the build year's (changeable) and the
-- earlier years' as published before (fixed)
yearly_members as (
    select indicator_code, classification_year, region_code, breakdown, breakdown_category, cell_id
    from cells where period = '{{ build }}'
    union all
    select f.indicator_code, f.classification_year, f.region_code, f.breakdown, f.breakdown_category, f.cell_id
    from {{ ref('int_pooled_fixed_cells') }} as f
    inner join person_level as i on i.indicator_code = f.indicator_code
),

groups as (
    -- breakdown categories add up to the region's total
    {{ disclosure_group('breakdown_categories', cell + ['region_code', 'breakdown'], id_prefix='breakdown',
        parents="select distinct c.period, c.classification_year, c.indicator_code, c.region_code, c.breakdown, t.cell_id
                 from cells as c inner join cells as t using (period, classification_year, indicator_code, region_code)
                 where c.breakdown <> 'total' and t.breakdown = 'total'",
        children="select * from cells where breakdown <> 'total'") }}
    union all
    -- member gemeenten add up to their GGD-regio and provincie
    {%- for level, code in [('ggd_regio', 'ggd_code'), ('provincie', 'provincie_code')] %}
    {{ disclosure_group(level ~ '_gemeenten', cell + [code] + category, id_prefix=level,
        parents="select *, region_code as " ~ code ~ " from (select * exclude (" ~ code ~ ") from cells) where region_level = '" ~ level ~ "'",
        children="select * from cells where region_level = 'gemeente' and " ~ code ~ " is not null") }}
    union all
    {%- endfor %}
    -- provincies (or GGD-regio's) plus the unknown-gemeente bucket add up to Nederland
    {%- for level in ['provincie', 'ggd_regio'] %}
    {{ disclosure_group('nederland_' ~ level, cell + category,
        parents="select * from cells where region_level = 'nederland'",
        children="select * from cells where region_level in ('" ~ level ~ "', 'unknown_gemeente')") }}
    union all
    {%- endfor %}
    {{ disclosure_group('same_area', cell + ['provincie_code'] + category,
        parents="select c.* exclude (provincie_code), s.provincie_code from cells as c inner join same_area as s
                 on s.classification_year = c.classification_year and c.region_level = 'provincie' and c.region_code = s.provincie_code",
        children="select c.* exclude (provincie_code), s.provincie_code from cells as c inner join same_area as s
                  on s.classification_year = c.classification_year and c.region_level = 'ggd_regio' and c.region_code = s.ggd_code") }}
    union all
    {{ disclosure_group('reclassification', ['period', 'indicator_code', 'region_level', 'region_code'] + category,
        parents="select * from target_cells where region_level <> 'split_part'",
        children="select t.period, t.indicator_code, t.region_level, t.region_code, t.breakdown, t.breakdown_category, o.cell_id
                  from target_cells as t
                  inner join predecessors as p on t.region_level = 'gemeente' and p.to_code = t.region_code
                  inner join cells as o using (period, indicator_code, breakdown, breakdown_category)
                  where (not p.is_split and o.classification_year = " ~ build ~ " and o.region_level = 'gemeente' and o.region_code = p.from_code)
                      or (p.is_split and o.classification_year = " ~ target ~ " and o.region_level = 'split_part'
                          and o.region_code = p.from_code || '>' || p.to_code)
                  union all
                  select t.period, t.indicator_code, t.region_level, t.region_code, t.breakdown, t.breakdown_category, o.cell_id
                  from target_cells as t
                  inner join own_cells as o using (period, indicator_code, region_level, region_code, breakdown, breakdown_category)
                  where t.region_level not in ('gemeente', 'split_part')") }}
    union all
    {{ disclosure_group('split', ['period', 'indicator_code', 'region_code'] + category,
        parents="select * from own_cells where region_level = 'gemeente'
                 and region_code in (select from_code from predecessors where is_split)",
        children="select * exclude (region_code), split_part(region_code, '>', 1) as region_code
                  from target_cells where region_level = 'split_part'") }}
    union all
    {{ disclosure_group('pooled_years', cell + ['region_code'] + category,
        parents="select * from cells where period <> '" ~ build ~ "'
                 and region_level in ('gemeente', 'ggd_regio', 'provincie', 'nederland')",
        children="select p.period, p.classification_year, p.indicator_code, p.region_code, p.breakdown,
                      p.breakdown_category, y.cell_id
                  from cells as p
                  inner join yearly_members as y using (indicator_code, classification_year, region_code, breakdown, breakdown_category)
                  where p.period <> '" ~ build ~ "' and p.region_level in ('gemeente', 'ggd_regio', 'provincie', 'nederland')") }}
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
from groups
