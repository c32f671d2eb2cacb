{#-
  The region frame of count_cells: gemeente_counts (per gemeente, NULL = unknown) rolled up to
  every region level, and every cell the window publishes or needs for disclosure control.
  Continues count_cells' WITH list (reads membership, classifications, split_sources,
  gemeente_counts, indicator_breakdowns and indicator_years) and ends with its final select.

  Levels: 'gemeente'; 'ggd_regio' and 'provincie' (sums over the member gemeenten of the same
  classification); 'nederland' (every record, the unknown bucket included); 'unknown_gemeente'
  (records without a gemeente in the classification, never published: Nederland = gemeenten +
  this bucket); 'split_part' (the part of a split gemeente allocated to one successor, never
  published: secondary suppression needs it, because the target-classification successor minus
  its own-classification predecessors reveals that part).
-#}
{% macro region_frame(window) -%}
region_counts as (
    {%- for level, code_column in [('gemeente', 'gemeente_code'), ('ggd_regio', 'ggd_code'), ('provincie', 'provincie_code')] %}
    select
        g.data_year, g.indicator_code, g.classification_year, '{{ level }}' as region_level,
        m.{{ code_column }} as region_code, g.breakdown, g.breakdown_category,
        sum(g.numerator) as numerator, sum(g.denominator) as denominator,
        sum(g.missing_denominator_cells) as missing_denominator_cells, sum(g.unanswered) as unanswered
    from gemeente_counts as g
    inner join membership as m
        on m.classification_year = g.classification_year
        and m.gemeente_code = g.gemeente_code
    where m.{{ code_column }} is not null
    group by all
    union all
    {%- endfor %}
    select
        data_year, indicator_code, classification_year, 'nederland', 'NL01', breakdown, breakdown_category,
        sum(numerator), sum(denominator), sum(missing_denominator_cells), sum(unanswered)
    from gemeente_counts
    group by all
    union all
    select
        g.data_year, g.indicator_code, g.classification_year, 'unknown_gemeente', 'unknown', g.breakdown,
        g.breakdown_category, sum(g.numerator), sum(g.denominator), sum(g.missing_denominator_cells),
        sum(g.unanswered)
    from gemeente_counts as g
    left join membership as m
        on m.classification_year = g.classification_year
        and m.gemeente_code = g.gemeente_code
    where m.gemeente_code is null
    group by all
    union all
    select
        data_year, indicator_code, classification_year, 'split_part', split_part_code, breakdown,
        breakdown_category, sum(numerator), sum(denominator), sum(missing_denominator_cells),
        sum(unanswered)
    from gemeente_counts
    where split_part_code is not null
    group by all
),

regions as (
    select classification_year, 'gemeente' as region_level, gemeente_code as region_code,
        min(gemeente_name) as region_name
    from membership
    group by all
    union all
    select classification_year, 'ggd_regio', ggd_code, min(ggd_name)
    from membership
    where ggd_code is not null
    group by all
    union all
    select classification_year, 'provincie', provincie_code, min(provincie_name)
    from membership
    where provincie_code is not null
    group by all
    union all
    select classification_year, 'nederland', 'NL01', 'Nederland'
    from classifications
    union all
    select classification_year, 'unknown_gemeente', 'unknown', 'gemeente unknown'
    from classifications
    union all
    select distinct {{ window.target }}, 'split_part', m.from_code || '>' || m.to_code,
        'part of ' || m.from_code || ' allocated to ' || m.to_code
    from {{ ref('stg_gemeente_code_map') }} as m
    inner join split_sources as sp
        on sp.from_code = m.from_code
    where m.from_year = {{ window.year_to }} and m.to_year = {{ window.target }}
),

categories as (
    select breakdown, breakdown_category from {{ ref('breakdown_categories') }}
    union
    select breakdown, breakdown_category from gemeente_counts
),

frame as (
    select
        i.data_year, i.indicator_code, i.classification_year, r.region_level, r.region_code,
        r.region_name, b.breakdown, c.breakdown_category
    from indicator_years as i
    inner join regions as r
        on r.classification_year = i.classification_year
    inner join indicator_breakdowns as b
        on b.indicator_code = i.indicator_code
    inner join categories as c
        on c.breakdown = b.breakdown
)

select
    cast(f.data_year as integer)                                  as data_year,
    f.indicator_code,
    f.classification_year,
    f.region_level,
    f.region_code,
    f.region_name,
    f.breakdown,
    f.breakdown_category,
    cast(coalesce(rc.numerator, 0) as bigint)                     as numerator,
    cast(coalesce(rc.denominator, 0) as bigint)                   as denominator,
    coalesce(rc.missing_denominator_cells, 0) = 0                 as is_denominator_complete,
    cast(coalesce(rc.unanswered, 0) as bigint)                    as unanswered
from frame as f
left join region_counts as rc
    on rc.data_year = f.data_year and {{ match_on('rc', 'f') }}
{%- endmacro %}
