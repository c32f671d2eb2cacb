{#-
  Secondary suppression (int_indicator_disclosure): rounds of closing exposed groups.
  `groups` is a relation of (group_id, cell_id, is_parent, pick_priority) (int_disclosure_groups);
  the CTE state_0 before it holds (cell_id, denominator, is_fixed, is_suppressed, secondary_round)
  before any round. Emits CTEs state_1 .. state_<rounds> and final_state (the last of them).

  A group is exposed when exactly one of its cells with records (denominator > 0) is withheld
  and some cell is published: subtracting the published ones reveals the withheld one. In every
  round each exposed group withholds one more published, not fixed, cell: lowest pick_priority
  first, then the smallest denominator, then cell_id. Withholding only grows.
-#}
{% macro secondary_suppression(groups, rounds) -%}
groups as materialized (
    -- Only groups that can ever be exposed take part in the rounds (same result, less work):
    -- withholding only grows, so a group that starts with two or more withheld cells with
    -- records, or without any published cell, never has exactly one withheld next to a
    -- published one.
    select g.*
    from {{ groups }} as g
    inner join (
        select g.group_id
        from {{ groups }} as g
        inner join state_0 as s
            on s.cell_id = g.cell_id
        group by g.group_id
        having count_if(s.is_suppressed and s.denominator > 0) <= 1
            and count_if(not s.is_suppressed) > 0
    ) as open_groups
        on open_groups.group_id = g.group_id
),
{%- for k in range(1, rounds + 1) %}

exposed_groups_{{ k }} as materialized (
    select g.group_id
    from groups as g
    inner join state_{{ k - 1 }} as s
        on s.cell_id = g.cell_id
    group by g.group_id
    having count_if(s.is_suppressed and s.denominator > 0) = 1
        and count_if(not s.is_suppressed) > 0
),

picks_{{ k }} as materialized (
    select distinct cell_id
    from (
        select
            g.cell_id,
            row_number() over (
                partition by g.group_id
                order by g.pick_priority, s.denominator, g.cell_id
            ) as pick_rank
        from groups as g
        inner join exposed_groups_{{ k }} as e
            on e.group_id = g.group_id
        inner join state_{{ k - 1 }} as s
            on s.cell_id = g.cell_id
        where not s.is_suppressed and not s.is_fixed
    )
    where pick_rank = 1
),

state_{{ k }} as materialized (
    select
        s.cell_id,
        s.denominator,
        s.is_fixed,
        s.is_suppressed or p.cell_id is not null as is_suppressed,
        coalesce(s.secondary_round, case when p.cell_id is not null then {{ k }} end) as secondary_round
    from state_{{ k - 1 }} as s
    left join picks_{{ k }} as p
        on p.cell_id = s.cell_id
),
{%- endfor %}

final_state as (
    select * from state_{{ rounds }}
)
{%- endmacro %}
