"""Disclosure control seen from outside: can a withheld figure be recovered from what is published?

The attack uses nothing but the published `indicator_values`, `regions` and `indicators`
tables, and every additive relation an analyst can derive from them:

- breakdown categories add up to the region's total (per breakdown);
- gemeenten add up to their GGD-regio and to their provincie (membership from `regions`);
- provincies, and GGD-regio's, add up to Nederland plus one never-published bucket of records
  without a known gemeente (an unknown of its own; its categories add up to its total too);
- a GGD-regio and a provincie with exactly the same gemeenten are the same figure;
- a pooled period ('2020-2024') is the sum of its five yearly figures.

Each relation is an equation parent - sum(children) = 0 over numerators and over denominators.
Whenever an equation has exactly one unknown cell, that cell is solved and becomes known, and
the search repeats until nothing more can be solved (so chains of subtractions are followed).
A withheld cell that is solved with a denominator above 0 is a disclosure; solving a withheld
cell that is truly empty (0 of 0) reveals nothing and is allowed (the suppression rules count
empty cells as harmless).

This is an iterated differencing attack, not a full linear-programming audit: a withheld cell
that could only be found by combining several equations with two unknowns each is not looked
for.

Rows that are statistics over other rows rather than counts take no part in the equations: the
slope index of inequality (breakdown 'sii') has no numerator or denominator and adds up to
nothing. Its own rule is checked beside the attack: a published SII must rest on published
quintiles only (a slope over four published quintiles and a withheld one would give that one
away), so it adds nothing to what the attack already sees.
"""

from __future__ import annotations

import json
import os
import re
import shutil
from pathlib import Path

import duckdb
import pytest

from tiny_inbox import YEAR

# breakdowns whose rows are statistics over other rows, not counts (see the module docstring)
NOT_ADDITIVE = "('sii')"


def key(prefix: str = "", **override: str) -> str:
    """SQL for a cell key; `override` replaces a column by an SQL expression."""
    parts = []
    for column in ("indicator_code", "period", "classification_year", "region_code", "breakdown", "breakdown_category"):
        parts.append(override.get(column, f"{prefix}{column}"))
    return "concat_ws('|', " + ", ".join(parts) + ")"


# Every equation is built from the rows of its CHILDREN (or of the pooled period), with the
# parent's key constructed: a parent that is not published is an unknown like any withheld cell.
EQUATIONS_SQL = f"""
create or replace temp table equations as
with v as (select * from attack_values),
members as (
    select classification_year, region_code as gemeente_code, ggd_code, provincie_code
    from attack_regions
    where region_level = 'gemeente'
),
signatures as (
    select classification_year, 'ggd_regio' as level, ggd_code as code,
        string_agg(gemeente_code, ',' order by gemeente_code) as gemeenten
    from members where ggd_code is not null group by all
    union all
    select classification_year, 'provincie', provincie_code,
        string_agg(gemeente_code, ',' order by gemeente_code)
    from members where provincie_code is not null group by all
),
same_area as (
    select g.classification_year, g.code as ggd_code, p.code as provincie_code
    from signatures as g
    inner join signatures as p
        on p.classification_year = g.classification_year and p.gemeenten = g.gemeenten
        and p.level = 'provincie'
    where g.level = 'ggd_regio'
),
gemeente_rows as (
    select v.*, m.ggd_code, m.provincie_code
    from v inner join members as m
        on m.classification_year = v.classification_year and m.gemeente_code = v.region_code
    where v.region_level = 'gemeente'
)
-- breakdown categories add up to the total, for every region and for the bucket
select concat_ws('|', 'breakdown', indicator_code, period, classification_year, region_code, breakdown) as eq,
    {key()} as cell, -1 as coef
from v where breakdown <> 'total'
union
select concat_ws('|', 'breakdown', indicator_code, period, classification_year, region_code, breakdown),
    {key(breakdown="'total'", breakdown_category="'total'")}, 1
from v where breakdown <> 'total'
union
select concat_ws('|', 'breakdown', indicator_code, period, classification_year, 'unknown', breakdown),
    {key(region_code="'unknown'")}, -1
from v where region_level = 'nederland' and breakdown <> 'total'
union
select concat_ws('|', 'breakdown', indicator_code, period, classification_year, 'unknown', breakdown),
    {key(region_code="'unknown'", breakdown="'total'", breakdown_category="'total'")}, 1
from v where region_level = 'nederland' and breakdown <> 'total'
-- gemeenten add up to their GGD-regio and to their provincie
union
select concat_ws('|', 'ggd', indicator_code, period, classification_year, ggd_code, breakdown,
        breakdown_category), {key()}, -1
from gemeente_rows where ggd_code is not null
union
select concat_ws('|', 'ggd', indicator_code, period, classification_year, ggd_code, breakdown,
        breakdown_category), {key(region_code='ggd_code')}, 1
from gemeente_rows where ggd_code is not null
union
select concat_ws('|', 'provincie', indicator_code, period, classification_year, provincie_code, breakdown,
        breakdown_category), {key()}, -1
from gemeente_rows where provincie_code is not null
union
select concat_ws('|', 'provincie', indicator_code, period, classification_year, provincie_code, breakdown,
        breakdown_category), {key(region_code='provincie_code')}, 1
from gemeente_rows where provincie_code is not null
-- provincies (and GGD-regio's) plus the bucket add up to Nederland
union
select concat_ws('|', 'nl_' || region_level, indicator_code, period, classification_year, breakdown,
        breakdown_category), {key()}, -1
from v where region_level in ('provincie', 'ggd_regio')
union
select concat_ws('|', 'nl_' || region_level, indicator_code, period, classification_year, breakdown,
        breakdown_category), {key(region_code="'NL01'")}, 1
from v where region_level in ('provincie', 'ggd_regio')
union
select concat_ws('|', 'nl_' || region_level, indicator_code, period, classification_year, breakdown,
        breakdown_category), {key(region_code="'unknown'")}, -1
from v where region_level in ('provincie', 'ggd_regio')
-- a GGD-regio and a provincie with the same gemeenten are the same figure
union
select concat_ws('|', 'same_area', v.indicator_code, v.period, v.classification_year, s.ggd_code, v.breakdown,
        v.breakdown_category), {key('v.', region_code='s.ggd_code')}, 1
from v inner join same_area as s
    on s.classification_year = v.classification_year
    and v.region_code in (s.ggd_code, s.provincie_code)
union
select concat_ws('|', 'same_area', v.indicator_code, v.period, v.classification_year, s.ggd_code, v.breakdown,
        v.breakdown_category), {key('v.', region_code='s.provincie_code')}, -1
from v inner join same_area as s
    on s.classification_year = v.classification_year
    and v.region_code in (s.ggd_code, s.provincie_code)
-- a pooled period is the sum of its yearly figures (years not published are unknowns)
union
select concat_ws('|', 'pooled', indicator_code, period, classification_year, region_code, breakdown,
        breakdown_category), {key()}, 1
from v where year_from < year_to
union
select concat_ws('|', 'pooled', indicator_code, period, classification_year, region_code, breakdown,
        breakdown_category), {key(period='cast(member_year as varchar)')}, -1
from (select *, unnest(range(year_from, year_to + 1)) as member_year from v where year_from < year_to)
"""

STATE_SQL = f"""
create or replace temp table state as
with published as (
    select {key()} as cell, not suppressed as known, suppressed as is_withheld,
        cast(numerator as double) as num, cast(denominator as double) as den
    from attack_values
)
select
    e.cell,
    coalesce(p.known, false) as known,
    coalesce(p.is_withheld, false) as is_withheld,
    p.num,
    p.den,
    cast(null as varchar) as solved_by
from (select distinct cell from equations union select cell from published) as e
left join published as p
    on p.cell = e.cell
"""

STEP_SQL = """
create or replace temp table step as
with solvable as (
    select
        e.eq,
        max(case when not s.known then e.cell end)               as cell,
        max(case when not s.known then e.coef end)               as coef,
        coalesce(sum(case when s.known then e.coef * s.num end), 0) as known_num,
        coalesce(sum(case when s.known then e.coef * s.den end), 0) as known_den
    from equations as e
    inner join state as s
        on s.cell = e.cell
    group by e.eq
    having count_if(not s.known) = 1
)
select
    cell,
    min(eq)                                    as solved_by,
    arg_min(-known_num / coef, eq)             as num,
    arg_min(-known_den / coef, eq)             as den
from solvable
group by cell
"""


def recover_withheld_cells(con: duckdb.DuckDBPyConnection, values: str = "indicator_values",
                           regions: str = "regions", indicators: str = "indicators",
                           max_rounds: int = 50) -> dict:
    """Run the attack on the given relations (e.g. 'pub.indicator_values').

    Returns {'disclosed': rows of withheld cells solved with a denominator above 0,
    'solved_empty': number of withheld cells solved as 0 of 0, 'withheld': withheld cells
    attacked, 'equations': equations, 'rounds': rounds until nothing more was solved}.
    """
    con.execute(f"""
        create or replace temp table attack_values as
        select v.* from {values} as v
        inner join {indicators} as i on i.indicator_code = v.indicator_code
        where i.disclosure_rule = 'min_10_both_outcomes' and v.breakdown not in {NOT_ADDITIVE}""")
    con.execute(f"create or replace temp table attack_regions as select * from {regions}")
    con.execute(EQUATIONS_SQL)
    con.execute(STATE_SQL)
    rounds = 0
    for rounds in range(1, max_rounds + 1):
        con.execute(STEP_SQL)
        if con.execute("select count(*) from step").fetchone()[0] == 0:
            break
        con.execute("""
            update state set known = true, num = step.num, den = step.den, solved_by = step.solved_by
            from step where state.cell = step.cell""")
    else:
        raise AssertionError(f"the attack did not settle within {max_rounds} rounds")
    disclosed = con.execute("""
        select cell, num, den, solved_by from state
        where is_withheld and known and abs(den) > 0.5
        order by cell""").fetchall()
    solved_empty = con.execute(
        "select count(*) from state where is_withheld and known and abs(den) <= 0.5").fetchone()[0]
    withheld = con.execute("select count(*) from state where is_withheld").fetchone()[0]
    equations = con.execute("select count(distinct eq) from equations").fetchone()[0]
    return {"disclosed": disclosed, "solved_empty": solved_empty, "withheld": withheld,
            "equations": equations, "rounds": rounds,
            "sii_over_withheld": sii_over_withheld_quintiles(con, values)}


def sii_over_withheld_quintiles(con: duckdb.DuckDBPyConnection, values: str) -> list[tuple]:
    """Published SII rows one of whose quintiles (categories '1'-'5' of the breakdown named in
    the SII's breakdown_category) is withheld or missing: each would give a withheld figure away."""
    return con.execute(f"""
        select s.indicator_code, s.period, s.classification_year, s.region_code, s.breakdown_category,
            count(q.breakdown_category) filter (where not q.suppressed) as published_quintiles
        from {values} as s
        left join {values} as q
            on q.indicator_code = s.indicator_code and q.period = s.period
            and q.classification_year = s.classification_year and q.region_code = s.region_code
            and q.breakdown = s.breakdown_category and q.breakdown_category in ('1', '2', '3', '4', '5')
        where s.breakdown = 'sii' and not s.suppressed
        group by all
        having count(q.breakdown_category) filter (where not q.suppressed) < 5
        order by all""").fetchall()


def attack_file(path: Path, schema: str = "main") -> dict:
    """The attack on a DuckDB file opened read-only: the published file (schema 'main') or a
    warehouse (schema 'marts')."""
    con = duckdb.connect()
    con.execute(f"attach '{path.as_posix()}' as pub (read_only)")
    return recover_withheld_cells(con, f"pub.{schema}.indicator_values", f"pub.{schema}.regions",
                                  f"pub.{schema}.indicators")


# --- the attack itself works: it finds planted leaks -----------------------------------------

def toy_marts(con: duckdb.DuckDBPyConnection, rows: list[tuple], regions: list[tuple]) -> None:
    """A hand-made published file: rows of (indicator, period, year_from, year_to, region, level,
    breakdown, category, numerator, denominator, suppressed)."""
    con.execute("""create table indicators as select * from (values
        ('preterm', 'min_10_both_outcomes'), ('coalition', 'none_census'))
        as t(indicator_code, disclosure_rule)""")
    con.execute("""create table regions(classification_year integer, region_code varchar, region_level varchar,
        ggd_code varchar, provincie_code varchar)""")
    con.executemany("insert into regions values (2024, ?, ?, ?, ?)", regions)
    con.execute("""create table indicator_values(indicator_code varchar, period varchar, year_from integer,
        year_to integer, classification_year integer, region_code varchar, region_level varchar,
        breakdown varchar, breakdown_category varchar, numerator bigint, denominator bigint, suppressed boolean)""")
    for (indicator, period, year_from, year_to, region, level, breakdown, category, num, den, withheld) in rows:
        con.execute("insert into indicator_values values (?, ?, ?, ?, 2024, ?, ?, ?, ?, ?, ?, ?)",
                    [indicator, period, year_from, year_to, region, level, breakdown, category,
                     None if withheld else num, None if withheld else den, withheld])


TOY_REGIONS = [
    ("GM0001", "gemeente", "GG0001", "PV01"), ("GM0002", "gemeente", "GG0001", "PV01"),
    ("GM0003", "gemeente", "GG0002", "PV01"), ("GM0004", "gemeente", "GG0002", "PV02"),
    ("GG0001", "ggd_regio", "GG0001", "PV01"), ("GG0002", "ggd_regio", "GG0002", None),
    ("PV01", "provincie", None, "PV01"), ("PV02", "provincie", None, "PV02"), ("NL01", "nederland", None, None),
]


def toy_year(year: int, withheld: set[str]) -> list[tuple]:
    """One year of preterm figures for TOY_REGIONS; Nederland holds 3 of 30 births more (the
    bucket of records without a gemeente)."""
    gm = {"GM0001": (5, 40), "GM0002": (30, 200), "GM0003": (20, 100), "GM0004": (25, 150)}
    area = {"GG0001": ["GM0001", "GM0002"], "GG0002": ["GM0003", "GM0004"],
            "PV01": ["GM0001", "GM0002", "GM0003"], "PV02": ["GM0004"],
            "NL01": ["GM0001", "GM0002", "GM0003", "GM0004"]}
    rows = []
    for code, (num, den) in gm.items():
        rows.append(("preterm", str(year), year, year, code, "gemeente", "total", "total", num, den, code in withheld))
    for code, parts in area.items():
        num = sum(gm[p][0] for p in parts) + (3 if code == "NL01" else 0)
        den = sum(gm[p][1] for p in parts) + (30 if code == "NL01" else 0)
        level = {"GG": "ggd_regio", "PV": "provincie", "NL": "nederland"}[code[:2]]
        rows.append(("preterm", str(year), year, year, code, level, "total", "total", num, den, code in withheld))
    return rows


def attack_toy(rows: list[tuple]) -> dict:
    con = duckdb.connect()
    toy_marts(con, rows, TOY_REGIONS)
    return recover_withheld_cells(con)


def test_attack_recovers_a_lone_withheld_gemeente():
    found = attack_toy(toy_year(2024, withheld={"GM0001"}))
    assert [(cell, num, den) for cell, num, den, _ in found["disclosed"]] == [
        ("preterm|2024|2024|GM0001|total|total", 5.0, 40.0)]


def test_attack_follows_chains():
    # GM0004 = GG0002 - GM0003 first; then PV02 (which holds GM0004 alone) = GM0004
    found = attack_toy(toy_year(2024, withheld={"GM0004", "PV02"}))
    solved = {cell: via for cell, _, _, via in found["disclosed"]}
    assert set(solved) == {"preterm|2024|2024|GM0004|total|total", "preterm|2024|2024|PV02|total|total"}
    assert solved["preterm|2024|2024|GM0004|total|total"].startswith("ggd|")
    assert found["rounds"] >= 3  # two rounds that solve something, one that finds nothing more


def test_attack_uses_the_bucket_found_from_the_other_hierarchy():
    # GM0001-GM0003 and GG0002 withheld: GG0002 - GM0003 has two unknowns and GM0001-GM0003
    # protect each other, but every provincie is published, so Nederland - provincies gives the
    # bucket, then Nederland - GG0001 - bucket gives GG0002, and GG0002 - GM0004 gives GM0003
    found = attack_toy(toy_year(2024, withheld={"GM0001", "GM0002", "GM0003", "GG0002"}))
    solved = {cell: (num, den, via) for cell, num, den, via in found["disclosed"]}
    assert set(solved) == {"preterm|2024|2024|GG0002|total|total", "preterm|2024|2024|GM0003|total|total"}
    assert solved["preterm|2024|2024|GG0002|total|total"][:2] == (45.0, 250.0)
    assert solved["preterm|2024|2024|GG0002|total|total"][2].startswith("nl_ggd_regio|")


def test_attack_finds_nothing_when_every_equation_keeps_two_unknowns():
    # GM0003, GM0004, GG0002, PV01 and PV02 withheld: every relation keeps two unknowns, and
    # the system itself leaves GM0003 and GM0004 free (nothing is determined at all)
    found = attack_toy(toy_year(2024, withheld={"GM0003", "GM0004", "GG0002", "PV01", "PV02"}))
    assert found["disclosed"] == [] and found["withheld"] == 5


def test_attack_recovers_a_year_from_a_pooled_period():
    rows = []
    for year in range(2020, 2025):
        rows += toy_year(year, withheld={"GM0001"} if year == 2022 else set())
    # only GM0001's rows are kept (no region totals to subtract from): its withheld 2022 value
    # is safe until a pooled 2020-2024 figure is published, which minus the other four years
    # gives it away
    rows = [r for r in rows if r[4] == "GM0001"]
    pooled = ("preterm", "2020-2024", 2020, 2024, "GM0001", "gemeente", "total", "total", 25, 200, False)
    assert attack_toy(rows)["disclosed"] == []
    found = attack_toy(rows + [pooled])
    assert [(cell, num, den) for cell, num, den, _ in found["disclosed"]] == [
        ("preterm|2022|2024|GM0001|total|total", 5.0, 40.0)]


def test_attack_recovers_a_breakdown_category_and_ignores_empty_cells():
    rows = toy_year(2024, withheld=set())
    rows += [
        ("preterm", "2024", 2024, 2024, "GM0002", "gemeente", "parity", "first_child", 12, 90, False),
        ("preterm", "2024", 2024, 2024, "GM0002", "gemeente", "parity", "not_first_child", 18, 110, True),
        ("preterm", "2024", 2024, 2024, "GM0002", "gemeente", "plurality", "singleton", 30, 200, False),
        ("preterm", "2024", 2024, 2024, "GM0002", "gemeente", "plurality", "multiple", 0, 0, True),
    ]
    found = attack_toy(rows)
    assert [cell for cell, *_ in found["disclosed"]] == ["preterm|2024|2024|GM0002|parity|not_first_child"]
    assert found["solved_empty"] == 1  # the empty 'multiple' cell: harmless


def test_sii_rows_take_no_part_in_the_equations_and_are_checked_apart():
    rows = toy_year(2024, withheld=set())
    quintiles = [("preterm", "2024", 2024, 2024, "GM0002", "gemeente", "income_quintile", str(q), 6, 40, False)
                 for q in range(1, 6)]
    # a withheld SII next to the published total: in the equations, total - SII would "solve" it
    withheld_sii = ("preterm", "2024", 2024, 2024, "GM0002", "gemeente", "sii", "income_quintile", None, None, True)
    # a planted leak beside it: one withheld quintile, found from the total and the other four
    leaky = quintiles[:2] + [quintiles[2][:-1] + (True,)] + quintiles[3:]
    found = attack_toy(rows + leaky + [withheld_sii])
    assert [cell for cell, *_ in found["disclosed"]] == ["preterm|2024|2024|GM0002|income_quintile|3"]
    assert found["withheld"] == 1 and found["sii_over_withheld"] == []
    # a published SII over that withheld quintile gives it away: reported
    published_sii = withheld_sii[:-1] + (False,)
    found = attack_toy(rows + leaky + [published_sii])
    assert found["sii_over_withheld"] == [("preterm", "2024", 2024, "GM0002", "income_quintile", 4)]
    # over five published quintiles it is fine
    assert attack_toy(rows + quintiles + [published_sii])["sii_over_withheld"] == []


def test_attack_skips_indicators_that_are_not_protected():
    rows = [("coalition",) + r[1:] for r in toy_year(2024, withheld={"GM0001"})]
    assert attack_toy(rows)["withheld"] == 0


# --- the real thing -----------------------------------------------------------------------------

@pytest.mark.e2e
def test_no_withheld_cell_of_the_released_year_is_recoverable(released):
    paths, _, _ = released
    found = attack_file(paths.published)
    assert found["withheld"] > 0 and found["equations"] > 0
    assert found["disclosed"] == [], found["disclosed"][:20]
    assert found["sii_over_withheld"] == []
    # the tiny year has SII rows (all withheld: 19 births per quintile in Nederland) and the attack
    # did not count them as cells
    with duckdb.connect(str(paths.published), read_only=True) as con:
        sii_rows, withheld = con.execute("select count(*), count(*) filter (where suppressed) "
                                         "from indicator_values where breakdown = 'sii'").fetchone()
    assert sii_rows == withheld > 0


@pytest.mark.skipif(not os.environ.get("KSM_DISCLOSURE_AUDIT_FILE"),
                    reason="set KSM_DISCLOSURE_AUDIT_FILE to a published file (or a warehouse with "
                           "KSM_DISCLOSURE_AUDIT_SCHEMA=marts) to audit it, e.g. at national scale")
def test_no_withheld_cell_of_a_given_file_is_recoverable():
    path = Path(os.environ["KSM_DISCLOSURE_AUDIT_FILE"])
    found = attack_file(path, os.environ.get("KSM_DISCLOSURE_AUDIT_SCHEMA", "main"))
    assert found["withheld"] > 0
    assert found["disclosed"] == [], (len(found["disclosed"]), found["disclosed"][:20])
    assert found["sii_over_withheld"] == [], found["sii_over_withheld"][:20]


# --- five tiny years: pooled period, trend and disclosure across periods ----------------------

COPY_YEAR_SQL = """
create or replace temp table successor as
select from_code, min(to_code) as to_code, count(*) as successors
from raw.gemeente_code_map
where from_year = 2020 and to_year = {year}
group by from_code;

create or replace temp table more_preterm as
select kind_id
from raw.perined
where year = 2020 and amww >= 37 and hoftiezer >= 10
order by source_row
limit {extra_preterm};

insert into raw.perined
select p.* replace (
    {year} as year,
    '{year}' || p.kind_id as kind_id,
    '{year}' || p.moeder_id as moeder_id,
    {year} as geboortejaar,
    case when p.gemeente_code_status = 'ok'
        then coalesce(case when s.successors = 1 then s.to_code end, p.gemeente_code_actueel)
        else p.gemeente_code end as gemeente_code,
    case when m.kind_id is not null then 34 else p.amww end as amww
)
from raw.perined as p
left join successor as s on s.from_code = p.gemeente_code
left join more_preterm as m on m.kind_id = p.kind_id
where p.year = 2020;

insert into raw.cbs_linked
select * replace ({year} as year, '{year}' || kind_id as kind_id, {year} as jaar)
from raw.cbs_linked where year = 2020;

insert into raw.vektis
select * replace ({year} as year, '{year}' || kind_id as kind_id, {year} as jaar)
from raw.vektis where year = 2020;

insert into raw.youth_protection
select y.* replace ({year} as year, '{year}' || y.kind_id as kind_id, {year} as jaar, s.to_code as gemeente_code)
from raw.youth_protection as y
inner join successor as s on s.from_code = y.gemeente_code and s.successors = 1
where y.year = 2020;

insert into raw.population
select p.* replace ({year} as year, s.to_code as RegioS, '{year}JJ00' as Perioden)
from raw.population as p
inner join successor as s on s.from_code = p.RegioS and s.successors = 1
where p.year = 2020;

insert into raw.questionnaire
select q.* replace ({year} as year, {year} as jaar, s.to_code as gemeente_code)
from raw.questionnaire as q
inner join successor as s on s.from_code = q.gemeente_code and s.successors = 1
where q.year = 2020
qualify row_number() over (partition by s.to_code order by q.source_row) = 1;
"""

YEARS = range(2020, 2025)
EXTRA_PRETERM = 8  # per year after 2020: Nederland's preterm births 35, 43, 51, 59, 67 of 95


@pytest.fixture(scope="module")
def five_years(released, tmp_path_factory):
    """The released tiny 2020 warehouse plus 2021-2024 made from its records (gemeenten moved to
    each year's classification, 8 more preterm births a year), built year by year with dbt (the
    2024 build runs every dbt test, so the pooled period's tests pass on it).
    Returns (warehouse, rows per period of 2024 after the first build, the same after a rebuild)."""
    from orchestration.dbt_invocation import extra_env
    from test_dbt_macros import run_dbt

    tmp = tmp_path_factory.mktemp("five_years")
    warehouse = tmp / "warehouse.duckdb"
    source = released[0].warehouse
    for suffix in ("", ".wal"):
        if Path(f"{source}{suffix}").exists():
            shutil.copyfile(f"{source}{suffix}", f"{warehouse}{suffix}")
    with duckdb.connect(str(warehouse)) as con:
        for year in YEARS[1:]:
            con.execute(COPY_YEAR_SQL.format(year=year, extra_preterm=EXTRA_PRETERM * (year - 2020)))

    def build(year: int, command: str = "run") -> None:
        # both classifications, as by default: the attack below covers the differences too
        with extra_env({"KSM_OWN_CLASSIFICATION": "true", "KSM_BUILD_YEAR": str(year)}):
            result = run_dbt(tmp, command, warehouse=warehouse)
        assert result.returncode == 0, result.stdout[-4000:]

    def rows_2024() -> dict:
        with duckdb.connect(str(warehouse), read_only=True) as con:
            return dict(con.execute("select period, count(*) from marts.indicator_values "
                                    "where year_to = 2024 group by period").fetchall())

    # models only for the years in between (saves the tests' time); 2024 with every dbt test
    for year in YEARS[1:-1]:
        build(year)
    build(2024, "build")
    first = rows_2024()
    build(2024)
    return warehouse, first, rows_2024()


def values(warehouse: Path, sql: str, params=()) -> list[tuple]:
    with duckdb.connect(str(warehouse), read_only=True) as con:
        return con.execute(sql, list(params)).fetchall()


@pytest.mark.e2e
def test_pooled_period_is_built_with_the_fifth_year_and_replaced_on_rebuild(five_years):
    warehouse, first, rebuilt = five_years
    assert set(first) == {"2024", "2020-2024"}
    assert rebuilt == first, "a rebuild replaces the year's rows, pooled ones included"
    assert values(warehouse, "select distinct period from marts.indicator_values where year_to < 2024 "
                             "order by 1") == [(str(y),) for y in YEARS[:-1]]
    # the questionnaire indicators are about gemeenten: not pooled
    assert values(warehouse, "select count(*) from marts.indicator_values where period = '2020-2024' "
                             "and indicator_code in ('coalition', 'action_plan')") == [(0,)]
    assert values(warehouse, "select distinct year_from, year_to from marts.indicator_values "
                             "where period = '2020-2024'") == [(2020, 2024)]


@pytest.mark.e2e
def test_pooled_values_are_the_sums_of_the_yearly_counts(five_years):
    warehouse, _, _ = five_years
    yearly = values(warehouse, """
        select sum(numerator), sum(denominator), count(*) from marts.indicator_values
        where indicator_code = 'preterm' and region_code = 'NL01' and breakdown = 'total'
            and year_from = year_to and classification_year = 2024""")
    assert yearly == [(35 + 43 + 51 + 59 + 67, 5 * 95, 5)]
    pooled = values(warehouse, """
        select numerator, denominator, value, suppressed from marts.indicator_values
        where indicator_code = 'preterm' and region_code = 'NL01' and breakdown = 'total'
            and period = '2020-2024'""")
    assert pooled == [(255, 475, pytest.approx(100 * 255 / 475), False)]
    # Amsterdam (with Weesp) on the 2024 classification in every year: 14 preterm of 50 in
    # 2020, the extra preterm births fall in its records first. Counted before disclosure
    # control: published, Amsterdam minus its own-classification self of 2021 would be Weesp,
    # so its years and its pooled cell are withheld
    amsterdam = values(warehouse, """
        select numerator, denominator from intermediate.int_indicator_counts_pooled
        where indicator_code = 'preterm' and region_code = 'GM0363' and breakdown = 'total'""")
    assert amsterdam and amsterdam[0][1] == 5 * 50


@pytest.mark.e2e
def test_trend_over_the_five_years(five_years):
    from reference_statistics import recent_trend, recent_trend_label

    warehouse, _, _ = five_years
    series = values(warehouse, """
        select year_to, value, ci95_lower, ci95_upper, trend from marts.indicator_values
        where indicator_code = 'preterm' and region_code = 'NL01' and breakdown = 'total'
            and year_from = year_to and classification_year = 2024 order by year_to""")
    assert [row[0] for row in series] == list(YEARS)
    args = ([r[1] for r in series], [r[2] for r in series], [r[3] for r in series], [r[0] - 2024 for r in series])
    slope, statistic, stable = recent_trend(*args)
    assert statistic > 9.5495 and slope > 0 and stable
    assert series[-1][4] == recent_trend_label(*args, "low_is_good") == "increasing_and_getting_worse"
    assert [row[4] for row in series[:-1]] == ["cannot_be_calculated"] * 4  # fewer than five points
    # no change in SGA (the extra preterm births were not small): no significant trend
    assert values(warehouse, "select trend from marts.indicator_values where indicator_code = 'sga' "
                             "and region_code = 'NL01' and period = '2024' and breakdown = 'total'") == [
        ("no_significant_change",)]
    # a withheld last point: no trend
    assert values(warehouse, "select distinct trend from marts.indicator_values where period = '2024' "
                             "and breakdown = 'total' and suppressed") == [("cannot_be_calculated",)]


@pytest.mark.e2e
def test_every_trend_of_the_five_years_equals_the_reference(five_years):
    """The 2024 trend of every series (indicator x region, the fixed classification) against
    tests/reference_statistics.py, from the published yearly points; and worse_and_worsening."""
    from reference_statistics import recent_trend_label, trend_label, trend_proportion, worse_and_worsening

    warehouse, _, _ = five_years
    rows = values(warehouse, """
        select v.indicator_code, v.region_code, v.year_to, v.numerator, v.denominator, v.value,
            v.ci95_lower, v.ci95_upper, v.trend, v.compared_to_nl, v.worse_and_worsening,
            i.interval_method, i.polarity
        from marts.indicator_values as v
        inner join marts.indicators as i using (indicator_code)
        where v.breakdown = 'total' and v.year_from = v.year_to and v.classification_year = 2024
        order by v.indicator_code, v.region_code, v.year_to""")
    points: dict[tuple, list] = {}
    for row in rows:
        points.setdefault(row[:2], []).append(row)
    labels = {}
    for key, series in points.items():
        last = series[-1]
        assert last[2] == 2024, key
        times = [r[2] - 2024 for r in series]
        method, polarity = last[11], last[12]
        if method == "none":  # census shares: the chi-square test for trend in proportions
            usable = len(series) == 5 and all(r[5] is not None for r in series)
            expected = "cannot_be_calculated"
            if usable:
                slope, statistic = trend_proportion([r[3] for r in series], [r[4] for r in series], times)
                expected = trend_label(statistic, slope, polarity)
        else:
            expected = recent_trend_label([r[5] for r in series], [r[6] for r in series], [r[7] for r in series],
                                          times, polarity)
        assert last[8] == expected, key
        assert last[10] is worse_and_worsening(last[9], last[8]), key
        labels[key] = expected
    assert len(labels) > 500
    counted = {label: sum(1 for v in labels.values() if v == label) for label in set(labels.values())}
    assert counted.get("no_significant_change", 0) > 0 and counted.get("cannot_be_calculated", 0) > 0
    assert counted.get("increasing_and_getting_worse", 0) > 0
    # none is both worse than Nederland and getting worse here; the flag is false where both are known
    assert any(series[-1][10] is False for series in points.values())


@pytest.mark.e2e
def test_no_withheld_cell_of_the_five_years_is_recoverable(five_years):
    warehouse, _, _ = five_years
    found = attack_file(warehouse, "marts")
    assert values(warehouse, "select count(*) from marts.indicator_values where period = '2020-2024' "
                             "and suppressed") != [(0,)]
    assert found["disclosed"] == [], found["disclosed"][:20]
    assert found["sii_over_withheld"] == []


def _copy_warehouse(source: Path, target: Path) -> Path:
    target.parent.mkdir(parents=True, exist_ok=True)
    for suffix in ("", ".wal"):
        if Path(f"{source}{suffix}").exists():
            shutil.copyfile(f"{source}{suffix}", f"{target}{suffix}")
    return target


def _pooled_by_year(warehouse: Path) -> list[tuple]:
    return values(warehouse, "select * exclude (year) from intermediate.int_pooled_counts_by_year order by all")


def _recounted_years(target: Path) -> set[int]:
    """The data years the last build's store of pooled counts counted again (its compiled SQL)."""
    compiled = next(target.glob("run/**/int_pooled_counts_store.sql")).read_text()
    return {int(y) for y in re.findall(r"\bcounted_(\d{4})\b", compiled)}


@pytest.mark.e2e
def test_a_reloaded_earlier_year_is_counted_again_for_the_pooled_period(five_years, tmp_path):
    """The store of yearly pooled counts reuses a year only while what it was counted from is
    unchanged: a 2021 slice reloaded without a build of 2021 (say a blocked year) is counted
    again by the next 2024 build, the others are not, and the result equals counting all five
    years afresh."""
    from orchestration.dbt_invocation import extra_env
    from test_dbt_macros import run_dbt

    warehouse = _copy_warehouse(five_years[0], tmp_path / "wh" / "warehouse.duckdb")

    def build_2024() -> Path:
        # one dbt folder for the three builds: dbt parses the project once, not three times
        with extra_env({"KSM_OWN_CLASSIFICATION": "true", "KSM_BUILD_YEAR": "2024"}):
            result = run_dbt(tmp_path / "dbt", "run", warehouse=warehouse)
        assert result.returncode == 0, result.stdout[-4000:]
        return tmp_path / "dbt" / "target"

    assert _recounted_years(build_2024()) == set(), "nothing changed: every year is reused"
    preterm_2021 = values(warehouse, "select numerator from intermediate.int_pooled_counts_by_year where "
                                     "data_year = 2021 and indicator_code = 'preterm' and region_code = 'NL01' "
                                     "and breakdown = 'total'")[0][0]
    with duckdb.connect(str(warehouse)) as con:  # three more preterm births in the 2021 slice
        con.execute("update raw.perined set amww = 30 where year = 2021 and kind_id in (select kind_id from "
                    "raw.perined where year = 2021 and amww >= 37 order by source_row limit 3)")

    assert _recounted_years(build_2024()) == {2021}
    assert values(warehouse, "select numerator from intermediate.int_pooled_counts_by_year where "
                             "data_year = 2021 and indicator_code = 'preterm' and region_code = 'NL01' "
                             "and breakdown = 'total'") == [(preterm_2021 + 3,)]
    stored = _pooled_by_year(warehouse)
    with duckdb.connect(str(warehouse)) as con:
        con.execute("drop table intermediate.int_pooled_counts_store")
    assert _recounted_years(build_2024()) == set(YEARS)
    assert _pooled_by_year(warehouse) == stored


@pytest.mark.e2e
def test_a_new_target_classification_counts_every_pooled_year_again(five_years, tmp_path):
    """Another classification to harmonise to is in the fingerprint: no year counted on the
    old one is reused."""
    from orchestration.dbt_invocation import extra_env
    from test_dbt_macros import run_dbt

    warehouse = _copy_warehouse(five_years[0], tmp_path / "wh" / "warehouse.duckdb")
    with duckdb.connect(str(warehouse)) as con:  # a 2025 classification: 2024's gemeenten as they are
        con.execute("insert into raw.regions select * replace (2025 as classification_year) "
                    "from raw.regions where classification_year = 2024")
        con.execute("insert into raw.gemeente_code_map select * replace (2025 as to_year) "
                    "from raw.gemeente_code_map where to_year = 2024")
    with extra_env({"KSM_OWN_CLASSIFICATION": "true", "KSM_BUILD_YEAR": "2024"}):
        result = run_dbt(tmp_path / "new", "run", warehouse=warehouse)
    assert result.returncode == 0, result.stdout[-4000:]
    assert _recounted_years(tmp_path / "new" / "target") == set(YEARS)
    assert values(warehouse, "select distinct classification_year from intermediate.int_pooled_counts_store "
                             "where data_year between 2020 and 2024") == [(2025,)]


@pytest.mark.e2e
def test_the_store_refuses_an_input_its_fingerprint_does_not_cover(five_years, tmp_path):
    """A relation the pooled count reads but pooled_count_inputs() does not declare would be
    read without being fingerprinted (a change to it would not make a recount): the build stops
    and says where to declare it."""
    import subprocess

    from orchestration.dbt_invocation import extra_env
    from test_dbt_macros import DBT, PROJECT_DIR

    project = tmp_path / "dbt_project"
    shutil.copytree(PROJECT_DIR, project, ignore=shutil.ignore_patterns("target", "logs", "dbt_packages"))
    store = project / "models" / "intermediate" / "int_pooled_counts_store.sql"
    store.write_text(store.read_text() + "\n-- reads {{ ref('stg_questionnaire') }} too\n")
    warehouse = _copy_warehouse(five_years[0], tmp_path / "wh" / "warehouse.duckdb")
    with extra_env({"KSM_BUILD_YEAR": "2024", "KSM_WAREHOUSE": str(warehouse)}):
        done = subprocess.run([str(DBT), "run", "--select", "int_pooled_counts_store", "--project-dir", str(project),
                               "--profiles-dir", str(project), "--target-path", str(tmp_path / "target"),
                               "--log-path", str(tmp_path / "logs")], capture_output=True, text=True, timeout=300)
    assert done.returncode != 0
    assert "stg_questionnaire', which their fingerprint does not cover" in done.stdout, done.stdout[-3000:]


WORK_TABLES = ("int_pooled_fixed_cells", "int_disclosure_groups", "int_indicator_disclosure")


@pytest.mark.e2e
def test_disclosure_work_tables_stay_out_of_the_warehouse_unless_kept(five_years, tmp_path):
    """Disclosure control's work tables live in the build's in-memory database: after the builds
    the warehouse file holds none of them. Built by hand with keep_work_tables they are kept in
    the warehouse, and say what the mart published for the build year; the next build without
    the var drops them."""
    from orchestration.dbt_invocation import extra_env
    from test_dbt_macros import run_dbt

    tables = "select table_name from duckdb_tables() where schema_name = 'intermediate'"
    built = {name for (name,) in values(five_years[0], tables)}
    assert "int_indicator_counts" in built and not built & set(WORK_TABLES)

    warehouse = _copy_warehouse(five_years[0], tmp_path / "wh" / "warehouse.duckdb")
    with extra_env({"KSM_OWN_CLASSIFICATION": "true", "KSM_BUILD_YEAR": "2024"}):
        done = run_dbt(tmp_path, "run", "--select", *WORK_TABLES, "--vars", "{keep_work_tables: true}",
                       warehouse=warehouse)
    assert done.returncode == 0, done.stdout[-3000:]
    kept = {name for (name,) in values(warehouse, tables)}
    assert set(WORK_TABLES) <= kept
    compared = values(warehouse, """
        select count(*), count_if(m.suppressed is distinct from d.is_suppressed)
        from marts.indicator_values as m
        inner join intermediate.int_indicator_disclosure as d using (indicator_code, period, region_code,
            classification_year, breakdown, breakdown_category)
        where m.year_to = 2024 and not d.is_fixed""")
    assert compared[0][0] > 0 and compared[0][1] == 0, compared
    # the next build without the var drops them again: they would be stale from now on
    with extra_env({"KSM_BUILD_YEAR": "2024"}):
        done = run_dbt(tmp_path, "run", "--select", "stg_regions", warehouse=warehouse)
    assert done.returncode == 0, done.stdout[-3000:]
    assert not {name for (name,) in values(warehouse, tables)} & set(WORK_TABLES)


def test_work_tables_left_out_of_a_selection_are_named():
    """The pure rule behind refusing a dbt subset: what a selection reads from build_scratch
    without building it (the project's own manifest)."""
    from orchestration.dbt_invocation import build_scoped_databases, work_tables_left_out
    from orchestration.dbt_manifest import ensure_dbt_manifest
    from orchestration.resources import dbt_project

    ensure_dbt_manifest()
    manifest = json.loads(dbt_project.manifest_path.read_text(encoding="utf-8"))
    models = {n["name"] for n in manifest["nodes"].values() if n["resource_type"] == "model"}
    assert build_scoped_databases() == {"build_scratch"}
    assert work_tables_left_out(models, set(), manifest) == {}  # the whole build
    assert work_tables_left_out({"indicator_values"}, set(), manifest) == {"indicator_values": ["int_indicator_disclosure"]}
    assert work_tables_left_out({"int_indicator_disclosure"}, {"int_disclosure_groups"}, manifest) == {
        "int_indicator_disclosure": ["int_disclosure_groups", "int_pooled_fixed_cells"],
        "the checks of int_disclosure_groups": ["int_disclosure_groups"]}
    assert work_tables_left_out({"int_births", "indicator_catalogue"}, {"int_births"}, manifest) == {}


@pytest.mark.e2e
def test_a_dagster_subset_without_the_work_tables_is_refused_before_dbt_runs(copy_home):
    """"Materialize selected" of the mart alone would find disclosure control's work tables
    gone; the step says so instead, and the mart stays as it was."""
    from dagster import AssetKey, AssetSelection, DagsterInstance, materialize

    from orchestration.definitions import all_assets
    from orchestration.resources import build_resources

    rows = "select count(*), sum(coalesce(numerator, 0)) from marts.indicator_values"
    before = values(copy_home.warehouse, rows)
    result = materialize(all_assets(), selection=AssetSelection.assets(AssetKey(["marts", "indicator_values"])),
                         partition_key=str(YEAR), raise_on_error=False,
                         resources=build_resources(copy_home), instance=DagsterInstance.get())
    assert not result.success
    [failure] = result.get_step_failure_events()
    message = str(failure.step_failure_data.user_failure_data.description)
    assert "indicator_values reads int_indicator_disclosure" in message
    assert f"ksm run --year {YEAR}" in message
    assert values(copy_home.warehouse, rows) == before
