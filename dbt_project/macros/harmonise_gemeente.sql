{#-
  Harmonise record-level gemeente codes to the classification of `to_year`.

  `records` is a relation or CTE name holding one row per (year_column, key): the record's
  gemeente code in its own year's classification (`code`), the code status (`status`) and,
  optionally, the gemeente of a later address (`current_code`). Returns a subquery with
  (from_year, record_key, gemeente_code_target, harmonisation_method), exactly one row per record:

  - status other than 'ok' -> gemeente_code_target NULL ('unknown_gemeente'): the record only
    counts for Nederland. An 'ok' code without a code-map row also gets NULL
    ('not_in_code_map'); a dbt test fails on those.
  - one successor (untouched gemeente or a merger) -> that successor.
  - several successors (a split): the later address (carried forward to `to_year` through the
    code map, should it have merged since) when it is one of the successors;
    otherwise a deterministic draw in [0, total share) from an MD5 hash of the key picks the
    successor whose cumulative share bucket holds it (buckets ordered by successor code).
-#}
{#- The columns every record set carries once placed (after harmonise_gemeente): its gemeente in
    its own year's classification (only a code that is 'ok' there), the target classification and
    its gemeente there. `record` and `harmonised` are the aliases of the records and of
    harmonise_gemeente's result. -#}
{% macro placed_gemeente_columns(record, harmonised, target) -%}
    case when {{ record }}.gemeente_code_status = 'ok' then {{ record }}.gemeente_code end as gemeente_code_own,
    cast({{ target }} as integer) as classification_year,
    {{ harmonised }}.gemeente_code_target,
    {{ harmonised }}.harmonisation_method
{%- endmacro %}

{% macro harmonise_gemeente(records, key, code, status, year_column, to_year, current_code=none) -%}
(
    with successors as (
        select from_year, from_code, to_code, sum(share) as share
        from {{ ref('stg_gemeente_code_map') }}
        where to_year = {{ to_year }}
        group by from_year, from_code, to_code
    ),

    cumulated as (
        select
            *,
            sum(share) over (
                partition by from_year, from_code order by to_code
                rows between unbounded preceding and current row
            ) as cum_hi,
            sum(share) over (partition by from_year, from_code) as total_share,
            count(*) over (partition by from_year, from_code) as n_successors,
            row_number() over (partition by from_year, from_code order by to_code desc) = 1 as is_last
        from successors
    ),

    buckets as (
        select
            *,
            coalesce(lag(cum_hi) over (partition by from_year, from_code order by to_code), 0.0) as cum_lo
        from cumulated
    ),

    {% if current_code -%}
    -- the later address is a code of some later classification: carried forward to the target
    -- one (from the newest classification that has it), so that a merger after the delivery
    -- still finds it among the successors
    current_latest as (
        select from_code, max(from_year) as from_year
        from {{ ref('stg_gemeente_code_map') }}
        where to_year = {{ to_year }}
        group by from_code
    ),

    current_in_target as (
        select m.from_code as current_code, min(m.to_code) as current_target
        from {{ ref('stg_gemeente_code_map') }} as m
        inner join current_latest as l
            on l.from_code = m.from_code and l.from_year = m.from_year
        where m.to_year = {{ to_year }}
        group by m.from_code
        having count(*) = 1
    ),
    {%- endif %}

    candidates as (
        select
            r.{{ year_column }}                               as from_year,
            cast(r.{{ key }} as varchar)                      as record_key,
            r.{{ code }}                                      as from_code,
            r.{{ status }}                                    as code_status,
            {% if current_code %}coalesce(ct.current_target, r.{{ current_code }}){% else %}cast(null as varchar){% endif %} as current_code,
            b.to_code,
            b.n_successors,
            b.cum_lo,
            b.cum_hi,
            b.is_last,
            -- the draw only where it can decide (a split): a hash per record costs
            case when b.n_successors > 1 then {{ unit_interval_hash('r.' ~ key) }} * b.total_share end as draw
        from {{ records }} as r
        left join buckets as b
            on r.{{ status }} = 'ok'
            and b.from_year = r.{{ year_column }}
            and b.from_code = r.{{ code }}
        {%- if current_code %}
        left join current_in_target as ct
            on ct.current_code = r.{{ current_code }}
        {%- endif %}
    ),

    -- is the later address one of the record's successors? A join with the small successor
    -- table, not a window over every record's candidates (same answer, a third of the time)
    flagged as (
        select
            c.*,
            s.to_code is not null                             as current_is_successor
        from candidates as c
        left join buckets as s
            on c.n_successors > 1
            and s.from_year = c.from_year
            and s.from_code = c.from_code
            and s.to_code = c.current_code
    )

    select
        from_year,
        record_key,
        to_code as gemeente_code_target,
        case
            when to_code is null and code_status = 'ok' then 'not_in_code_map'
            when to_code is null then 'unknown_gemeente'
            when n_successors = 1 and to_code = from_code then 'unchanged'
            when n_successors = 1 then 'merged'
            when current_is_successor then 'split_later_address'
            else 'split_allocation_share'
        end as harmonisation_method
    from flagged
    where to_code is null
        or n_successors = 1
        or (current_is_successor and to_code = current_code)
        or (not current_is_successor and draw >= cum_lo and (draw < cum_hi or is_last))
)
{%- endmacro %}
