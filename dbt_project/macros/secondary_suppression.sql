{#-
  Secondary suppression (int_indicator_disclosure): rounds of closing exposed groups.
  `groups` is a relation of (group_id, cell_id, is_parent, pick_priority) (int_disclosure_groups);
  the CTE state_0 before it holds (cell_id, denominator, is_fixed, is_suppressed, secondary_round)
  before any round. Emits final_state: state_0 after the last round (same columns).

  A group is exposed when exactly one of its cells with records (denominator > 0) is withheld
  and some cell is published: subtracting the published ones reveals the withheld one. In every
  round each exposed group withholds one more published, not fixed, cell: lowest pick_priority
  first, then the smallest denominator, then cell_id. Withholding only grows.

  After the first round only the groups a pick of the round before touched are looked at (same
  picks, a fraction of the work: most rounds pick a few cells or none): a group none of whose
  cells changed was exposed in the round before as well, and then either picked a cell (so it
  was touched) or had no cell it could withhold, which is still so.
  withheld_<k>: the cells withheld by rounds 1..k, with their round.
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

withheld_0 as materialized (
    select cast(null as varchar) as cell_id, cast(null as integer) as secondary_round
    where false
),
{%- for k in range(1, rounds + 1) %}

-- round {{ k }}: the state of the looked-at groups' cells after round {{ k - 1 }}
cells_{{ k }} as materialized (
    select
        g.group_id, g.cell_id, g.pick_priority, s.denominator, s.is_fixed,
        s.is_suppressed or w.cell_id is not null                        as is_suppressed
    from groups as g
    {%- if k > 1 %}
    inner join (
        select distinct g.group_id
        from groups as g
        inner join withheld_{{ k - 1 }} as w
            on w.cell_id = g.cell_id and w.secondary_round = {{ k - 1 }}
    ) as touched
        on touched.group_id = g.group_id
    {%- endif %}
    inner join state_0 as s
        on s.cell_id = g.cell_id
    left join withheld_{{ k - 1 }} as w
        on w.cell_id = g.cell_id
),

picks_{{ k }} as materialized (
    select distinct cell_id
    from (
        select
            c.cell_id,
            row_number() over (
                partition by c.group_id
                order by c.pick_priority, c.denominator, c.cell_id
            ) as pick_rank
        from cells_{{ k }} as c
        inner join (
            select group_id
            from cells_{{ k }}
            group by group_id
            having count_if(is_suppressed and denominator > 0) = 1
                and count_if(not is_suppressed) > 0
        ) as exposed
            on exposed.group_id = c.group_id
        where not c.is_suppressed and not c.is_fixed
    )
    where pick_rank = 1
),

withheld_{{ k }} as materialized (
    select * from withheld_{{ k - 1 }}
    union all
    select cell_id, {{ k }} from picks_{{ k }}
),
{%- endfor %}

final_state as (
    select
        s.cell_id,
        s.denominator,
        s.is_fixed,
        s.is_suppressed or w.cell_id is not null                        as is_suppressed,
        coalesce(s.secondary_round, w.secondary_round)                  as secondary_round
    from state_0 as s
    left join withheld_{{ rounds }} as w
        on w.cell_id = s.cell_id
)
{%- endmacro %}
