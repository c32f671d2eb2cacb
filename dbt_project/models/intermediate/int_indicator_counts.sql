-- Numerator and denominator per indicator x region x breakdown category for the build year,
-- in every published classification. Gemeente counts come from the records; GGD-regio and
-- provincie counts are sums over their member gemeenten; Nederland sums ALL records, including
-- those whose gemeente is unknown. Every region x applicable category gets a row (0/0 when no
-- record falls in it) for every indicator with data this year.
-- Rows of region_level 'unknown_gemeente' (never published) hold the records without a
-- known gemeente: Nederland = sum of the gemeenten + that bucket.
-- When the build year's own classification is published too, rows of region_level
-- 'split_part' (never published) count the part of a split gemeente that went to each
-- successor: secondary suppression needs them, because the target-classification successor
-- minus its own-classification predecessors reveals that part.
-- unanswered: questionnaire records without an answer to the indicator's question (counted
-- whatever the denominator says), so a gemeente that did not answer can be told from a 'no'.
{%- set build = build_year() %}
{%- set target = target_classification_year() %}
{%- set breakdowns = breakdown_names() %}
{#- (indicator, numerator condition, denominator condition): macros/indicator_definitions.sql -#}
{%- set birth_indicators = birth_indicator_definitions() %}
{%- set questionnaire_indicators = questionnaire_indicator_definitions() %}

with membership as (
    select * from {{ ref('int_region_membership') }}
),

classifications as (
    select distinct classification_year from membership
),

split_sources as (
    -- split gemeenten of the build year's classification, when that classification is published
    select distinct from_code
    from {{ ref('stg_gemeente_code_map') }}
    where from_year = {{ build }} and to_year = {{ target }} and is_split
        and {{ build }} <> {{ target }}
        and exists (select 1 from classifications where classification_year = {{ build }})
),

births as (
    select
        b.*,
        c.classification_year                                                  as published_classification_year,
        case when c.classification_year = {{ target }}
            then b.gemeente_code_target else b.gemeente_code_own end          as published_gemeente_code,
        case when c.classification_year = {{ target }} and sp.from_code is not null
            then b.gemeente_code_own || '>' || b.gemeente_code_target end       as split_part_code
    from {{ ref('int_births') }} as b
    cross join classifications as c
    left join split_sources as sp
        on sp.from_code = b.gemeente_code_own and b.gemeente_code_target is not null
),

questionnaire as (
    select
        q.*,
        c.classification_year                                                  as published_classification_year,
        case when c.classification_year = {{ target }}
            then q.gemeente_code_target else q.gemeente_code_own end          as published_gemeente_code,
        case when c.classification_year = {{ target }} and sp.from_code is not null
            then q.gemeente_code_own || '>' || q.gemeente_code_target end       as split_part_code
    from {{ ref('int_questionnaire') }} as q
    cross join classifications as c
    left join split_sources as sp
        on sp.from_code = q.gemeente_code_own and q.gemeente_code_target is not null
),

youth_protection as (
    select
        y.*,
        c.classification_year                                                  as published_classification_year,
        case when c.classification_year = {{ target }}
            then y.gemeente_code_target else y.gemeente_code_own end          as published_gemeente_code,
        case when c.classification_year = {{ target }} and sp.from_code is not null
            then y.gemeente_code_own || '>' || y.gemeente_code_target end       as split_part_code
    from {{ ref('int_youth_protection') }} as y
    cross join classifications as c
    left join split_sources as sp
        on sp.from_code = y.gemeente_code_own and y.gemeente_code_target is not null
),

observations as (
    -- one row per record and indicator whose denominator it belongs to
    {%- for code, numerator, denominator in birth_indicators %}
    select
        '{{ code }}'                                         as indicator_code,
        published_classification_year                        as classification_year,
        published_gemeente_code                              as gemeente_code,
        split_part_code,
        {%- for b in breakdowns %}
        breakdown_{{ b }},
        {%- endfor %}
        case when {{ numerator }} then 1 else 0 end          as numerator,
        1                                                    as denominator,
        0                                                    as missing_denominator_cells,
        0                                                    as unanswered
    from births
    where {{ denominator }}
    union all
    {%- endfor %}

    {%- for code, numerator, denominator in questionnaire_indicators %}
    select
        '{{ code }}',
        published_classification_year,
        published_gemeente_code,
        split_part_code,
        {%- for b in breakdowns %}
        null,
        {%- endfor %}
        case when ({{ numerator }}) and ({{ denominator }}) then 1 else 0 end,
        case when {{ denominator }} then 1 else 0 end,
        0,
        case when ({{ numerator }}) is null then 1 else 0 end
    from questionnaire
    union all
    {%- endfor %}

    -- out-of-home placement: numerator from youth-care records ...
    select
        'out_of_home_0_2',
        published_classification_year,
        published_gemeente_code,
        split_part_code,
        {%- for b in breakdowns %}
        null,
        {%- endfor %}
        1,
        0,
        0,
        0
    from youth_protection
    where is_out_of_home_placement
    union all
    -- ... denominator from the CBS population aged 0-1 (only when that table was delivered)
    select
        'out_of_home_0_2',
        p.classification_year,
        p.gemeente_code,
        case when sp.from_code is not null then p.split_part_code end,
        {%- for b in breakdowns %}
        null,
        {%- endfor %}
        0,
        coalesce(p.population_0_1, 0),
        p.missing_cells,
        0
    from {{ ref('int_population') }} as p
    inner join classifications as c
        on c.classification_year = p.classification_year
    left join split_sources as sp
        on p.split_part_code like sp.from_code || '>%'
),

indicator_breakdowns as (
    select indicator_code, breakdown
    from {{ ref('indicator_breakdowns') }}
),

exploded as (
    select
        o.indicator_code,
        o.classification_year,
        o.gemeente_code,
        o.split_part_code,
        ib.breakdown,
        case ib.breakdown
            when 'total' then 'total'
            {%- for b in breakdowns %}
            when '{{ b }}' then o.breakdown_{{ b }}
            {%- endfor %}
        end                                                  as breakdown_category,
        o.numerator,
        o.denominator,
        o.missing_denominator_cells,
        o.unanswered
    from observations as o
    inner join indicator_breakdowns as ib
        on ib.indicator_code = o.indicator_code
),

gemeente_counts as (
    -- gemeente_code NULL = the unknown-gemeente bucket (counts for Nederland only)
    select
        indicator_code,
        classification_year,
        gemeente_code,
        split_part_code,
        breakdown,
        breakdown_category,
        sum(numerator)                       as numerator,
        sum(denominator)                     as denominator,
        sum(missing_denominator_cells)       as missing_denominator_cells,
        sum(unanswered)                      as unanswered
    from exploded
    group by all
),

region_counts as (
    {%- for level, code_column in [('gemeente', 'gemeente_code'), ('ggd_regio', 'ggd_code'), ('provincie', 'provincie_code')] %}
    select
        g.indicator_code,
        g.classification_year,
        '{{ level }}'                        as region_level,
        m.{{ code_column }}                  as region_code,
        g.breakdown,
        g.breakdown_category,
        sum(g.numerator)                     as numerator,
        sum(g.denominator)                   as denominator,
        sum(g.missing_denominator_cells)     as missing_denominator_cells,
        sum(g.unanswered)                    as unanswered
    from gemeente_counts as g
    inner join membership as m
        on m.classification_year = g.classification_year
        and m.gemeente_code = g.gemeente_code
    where m.{{ code_column }} is not null
    group by all
    union all
    {%- endfor %}
    select
        indicator_code,
        classification_year,
        'nederland',
        'NL01',
        breakdown,
        breakdown_category,
        sum(numerator),
        sum(denominator),
        sum(missing_denominator_cells),
        sum(unanswered)
    from gemeente_counts
    group by all
    union all
    -- the unknown-gemeente bucket (never published; Nederland = gemeenten + this bucket)
    select
        g.indicator_code,
        g.classification_year,
        'unknown_gemeente',
        'unknown',
        g.breakdown,
        g.breakdown_category,
        sum(g.numerator),
        sum(g.denominator),
        sum(g.missing_denominator_cells),
        sum(g.unanswered)
    from gemeente_counts as g
    left join membership as m
        on m.classification_year = g.classification_year
        and m.gemeente_code = g.gemeente_code
    where m.gemeente_code is null
    group by all
    union all
    select
        indicator_code,
        classification_year,
        'split_part',
        split_part_code,
        breakdown,
        breakdown_category,
        sum(numerator),
        sum(denominator),
        sum(missing_denominator_cells),
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
    select distinct {{ target }}, 'split_part', m.from_code || '>' || m.to_code,
        'part of ' || m.from_code || ' allocated to ' || m.to_code
    from {{ ref('stg_gemeente_code_map') }} as m
    inner join split_sources as sp
        on sp.from_code = m.from_code
    where m.from_year = {{ build }} and m.to_year = {{ target }}
),

indicators_with_data as (
    -- a question nobody answered (left empty for every gemeente) was not asked: no rows
    select distinct indicator_code, classification_year
    from gemeente_counts
    where numerator > 0 or denominator > 0
),

categories as (
    select breakdown, breakdown_category from {{ ref('breakdown_categories') }}
    union
    select breakdown, breakdown_category from gemeente_counts
),

frame as (
    select
        i.indicator_code,
        i.classification_year,
        r.region_level,
        r.region_code,
        r.region_name,
        ib.breakdown,
        c.breakdown_category
    from indicators_with_data as i
    inner join regions as r
        on r.classification_year = i.classification_year
    inner join indicator_breakdowns as ib
        on ib.indicator_code = i.indicator_code
    inner join categories as c
        on c.breakdown = ib.breakdown
)

select
    cast({{ build }} as integer)                                  as year,
    cast({{ build }} as varchar)                                  as period,
    cast({{ build }} as integer)                                  as year_from,
    cast({{ build }} as integer)                                  as year_to,
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
    cast(coalesce(rc.unanswered, 0) as bigint)                    as unanswered,
    concat_ws('|', cast({{ build }} as varchar), f.classification_year, f.indicator_code,
        f.region_code, f.breakdown, f.breakdown_category)         as cell_id
from frame as f
left join region_counts as rc
    on rc.indicator_code = f.indicator_code
    and rc.classification_year = f.classification_year
    and rc.region_level = f.region_level
    and rc.region_code = f.region_code
    and rc.breakdown = f.breakdown
    and rc.breakdown_category = f.breakdown_category
