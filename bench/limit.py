"""The limit: the least SQL that computes the births cells of every year and pooled period.

Where the floor (bench/floor.py) runs the warehouse's own SQL without dbt, the limit is what
the same counts need at the least: one scan per record source (perined, cbs_linked, vektis),
the records joined once, and one GROUPING SETS aggregation for every year, classification,
gemeente and breakdown; the region levels (GGD-regio, provincie, Nederland) and the pooled
periods (sums of five yearly counts on the target classification) are then sums over that small
table of cells, never over the records again. One process, one DuckDB connection.

    python bench/limit.py setup --warehouse W --db DIR/limit.duckdb
        a fresh database with copies of the raw tables the limit reads (the same input as the
        floor's: the extracts as the ingest loaded them) and nothing else.
    python bench/limit.py run --db DIR/limit.duckdb
        the limit (the timed part): table limit_cells.
    python bench/limit.py compare --warehouse W --db DIR/limit.duckdb
        the limit's counts must equal the warehouse's: every published numerator and
        denominator of marts.indicator_values (yearly and pooled, every classification) of the
        indicators it covers, and every cell of intermediate.int_indicator_counts (the last
        year built, suppressed cells included). Exit 1 on any difference.

What it covers: the indicators of record set 'births' of the indicator registry (var
ksm_indicators): their numerator and denominator conditions are read from the registry and
used as they are; the columns those conditions read (is_preterm, has_problematic_debts, ...)
are the definitions of macros/birth_records.sql, written once here. The region levels
gemeente, ggd_regio, provincie, nederland, on the year's own classification and on the target
one (the newest in raw.regions); gemeenten harmonised as macros/harmonise_gemeente.sql does
(mergers, splits by later address or by the hash draw over the successors' shares). Not
covered: the questionnaire and youth-protection indicators (a few thousand rows a year: gemeente
records and population cells, not births), disclosure control, intervals and trends.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

RAW_TABLES = ("perined", "cbs_linked", "vektis", "regions", "gemeente_code_map")
LEVELS = ("gemeente", "ggd_regio", "provincie", "nederland")
POOLED_YEARS = 5


def registry_births():
    """(indicators of record set births, breakdowns), from the indicator registry."""
    from orchestration.indicator_registry import breakdown_names, indicators

    entries = [e for e in indicators() if e["record_set"] == "births"]
    breakdowns = [b for b in breakdown_names() if any(b in e.get("breakdowns", []) for e in entries)]
    return entries, breakdowns


def limit_sql(target: int, entries: list[dict], breakdowns: list[str]) -> str:
    """One statement per step; the records are read once (table `births` is the only scan)."""
    counts = ",\n        ".join(
        f"count_if(({e['denominator']}) and ({e['numerator']})) as num_{e['code']}, "
        f"count_if({e['denominator']}) as den_{e['code']}" for e in entries)
    sets = ",\n        ".join(["(year, own_code, target_code)"]
                               + [f"(year, own_code, target_code, breakdown_{b})" for b in breakdowns])
    which = "case " + " ".join(f"when grouping(breakdown_{b}) = 0 then '{b}'" for b in breakdowns) + " else 'total' end"
    category = "case " + " ".join(f"when grouping(breakdown_{b}) = 0 then breakdown_{b}" for b in breakdowns) \
        + " else 'total' end"
    unpivot = "\n    union all\n    ".join(
        f"select year, own_code, target_code, breakdown, breakdown_category, '{e['code']}' as indicator_code, "
        f"num_{e['code']} as numerator, den_{e['code']} as denominator from gemeente_cells "
        f"where breakdown in ({', '.join(repr(b) for b in ['total', *e.get('breakdowns', [])])})"
        for e in entries)
    pooled = ", ".join(f"'{e['code']}'" for e in entries if e.get("pooled")) or "null"
    return f"""
-- gemeente -> successor(s) in the target classification, with the share buckets of a split
create temp table buckets as
with successors as (
    select cast(from_year as integer) as from_year, from_code, to_code, sum(cast(share as double)) as share
    from raw.gemeente_code_map where cast(to_year as integer) = {target}
    group by all
)
select *,
    coalesce(lag(cum_hi) over (partition by from_year, from_code order by to_code), 0.0) as cum_lo
from (
    select *,
        sum(share) over (partition by from_year, from_code order by to_code
                         rows between unbounded preceding and current row) as cum_hi,
        sum(share) over (partition by from_year, from_code) as total_share,
        count(*) over (partition by from_year, from_code) as n_successors,
        row_number() over (partition by from_year, from_code order by to_code desc) = 1 as is_last
    from successors
);

-- a later address carried forward to the target classification (one successor only)
create temp table current_in_target as
with latest as (
    select from_code, max(cast(from_year as integer)) as from_year
    from raw.gemeente_code_map where cast(to_year as integer) = {target} group by from_code
)
select m.from_code as current_code, min(m.to_code) as current_target
from raw.gemeente_code_map as m
inner join latest as l on l.from_code = m.from_code and l.from_year = cast(m.from_year as integer)
where cast(m.to_year as integer) = {target}
group by m.from_code
having count(*) = 1;

-- the records: one scan of each source, one row per birth with the columns the registry reads
create temp table births as
with perined as (
    select
        cast(year as integer) as year, cast(kind_id as varchar) as child_id, cast(moeder_id as varchar) as mother_id,
        gemeente_code, gemeente_code_status, gemeente_code_actueel as current_gemeente_code,
        cast(amww as integer) as gestational_age_weeks, cast(hoftiezer as double) as birthweight_percentile,
        cast(amddd1ond as integer) as first_visit_gestational_day, cast(sterfte as integer) as mortality_code,
        cast(omv as integer) as plurality, cast(rangnummer as integer) as birth_order,
        cast(leeftijd_moeder as integer) as mother_age, cast(pariteit as integer) as parity
    from raw.perined
),
b as (
    select *,
        row_number() over (partition by year, coalesce(mother_id, child_id)
                           order by birth_order nulls last, child_id) = 1 as is_pregnancy_record
    from perined
    where coalesce(mortality_code, 0) not in (1, 2) or gestational_age_weeks >= 24
),
cbs as (
    select cast(year as integer) as year, cast(kind_id as varchar) as child_id,
        cast(inkomen_kwintiel as integer) as income_quintile, lower(trim(opleiding_moeder)) as mother_education,
        lower(trim(migratieachtergrond)) as migration_background,
        (case trim(cast(problematische_schulden as varchar)) when '1' then true when '0' then false end)
            as has_problematic_debts,
        (case trim(cast(psychische_problemen as varchar)) when '1' then true when '0' then false end)
            as has_parental_mental_health_problems,
        (case trim(cast(meervoudig_kwetsbaar as varchar)) when '1' then true when '0' then false end)
            as is_multiply_vulnerable
    from raw.cbs_linked
),
vektis as (
    select cast(year as integer) as year, cast(kind_id as varchar) as child_id,
        (case trim(cast(kraamzorg_declaratie as varchar)) when '1' then true when '0' then false end)
            as has_maternity_care_claim,
        (case trim(cast(lange_opname as varchar)) when '1' then true when '0' then false end)
            as has_long_hospital_stay
    from raw.vektis
),
candidates as (
    select b.*, c.* exclude (year, child_id), v.* exclude (year, child_id),
        coalesce(ct.current_target, b.current_gemeente_code) as current_code,
        k.to_code, k.n_successors, k.cum_lo, k.cum_hi, k.is_last,
        case when k.n_successors > 1
            then (cast(('0x' || left(md5(b.child_id), 8)) as bigint) / 4294967296.0) * k.total_share end as draw,
        s.to_code is not null as current_is_successor
    from b
    left join buckets as k
        on b.gemeente_code_status = 'ok' and k.from_year = b.year and k.from_code = b.gemeente_code
    left join current_in_target as ct on ct.current_code = b.current_gemeente_code
    left join buckets as s
        on k.n_successors > 1 and s.from_year = b.year and s.from_code = b.gemeente_code
        and s.to_code = coalesce(ct.current_target, b.current_gemeente_code)
    left join cbs as c on c.year = b.year and c.child_id = b.child_id
    left join vektis as v on v.year = b.year and v.child_id = b.child_id
)
select
    year,
    case when gemeente_code_status = 'ok' then gemeente_code end            as own_code,
    to_code                                                                  as target_code,
    coalesce(mortality_code, 0) not in (1, 2)                                as is_live_birth,
    gestational_age_weeks < 37                                               as is_preterm,
    birthweight_percentile < 10                                              as is_sga,
    coalesce(gestational_age_weeks < 37, false)
        or coalesce(birthweight_percentile < 10, false)                      as is_big2,
    coalesce(mortality_code between 1 and 4, false)                          as is_perinatal_death,
    is_pregnancy_record,
    first_visit_gestational_day > 70                                         as is_late_antenatal_care,
    case when coalesce(mortality_code, 0) not in (1, 2) then mother_age < 20 end as is_teen_mother,
    has_problematic_debts, has_parental_mental_health_problems, is_multiply_vulnerable,
    has_maternity_care_claim, has_long_hospital_stay,
    case when income_quintile between 1 and 5
        then cast(income_quintile as varchar) else 'unknown' end            as breakdown_income_quintile,
    case mother_education when 'laag' then 'low' when 'midden' then 'middle' when 'hoog' then 'high'
        else 'unknown' end                                                   as breakdown_education,
    case migration_background when 'nederland' then 'netherlands' when 'europa' then 'europe'
        when 'buiten_europa' then 'outside_europe' else 'unknown' end      as breakdown_migration_background,
    case is_multiply_vulnerable when true then 'yes' when false then 'no'
        else 'unknown' end                                                   as breakdown_multiple_vulnerability,
    case when parity = 0 then 'first_child' when parity > 0 then 'not_first_child'
        else 'unknown' end                                                   as breakdown_parity,
    case when plurality = 1 then 'singleton' when plurality > 1 then 'multiple'
        else 'unknown' end                                                   as breakdown_plurality
from candidates
where to_code is null
    or n_successors = 1
    or (current_is_successor and to_code = current_code)
    or (not current_is_successor and draw >= cum_lo and (draw < cum_hi or is_last));

-- the one aggregation over the records: every breakdown per year, own and target gemeente
create temp table gemeente_cells as
select year, own_code, target_code,
    {which} as breakdown,
    {category} as breakdown_category,
        {counts}
from births
group by grouping sets (
        {sets}
);

-- per indicator (its breakdowns only)
create temp table by_indicator as
    {unpivot};

-- every classification a year is published on: its own and the target one
create temp table placed as
select year as data_year, year as classification_year, own_code as gemeente_code,
    indicator_code, breakdown, breakdown_category, sum(numerator) as numerator, sum(denominator) as denominator
from by_indicator where year <> {target} group by all
union all
select year, {target}, target_code, indicator_code, breakdown, breakdown_category, sum(numerator), sum(denominator)
from by_indicator group by all;

create temp table membership as
select cast(classification_year as integer) as classification_year, gemeente_code, ggd_code, provincie_code
from raw.regions;

create or replace table limit_yearly as
{"union all".join(f'''
select p.data_year, p.classification_year, p.indicator_code, '{level}' as region_level, m.{column} as region_code,
    p.breakdown, p.breakdown_category, sum(p.numerator) as numerator, sum(p.denominator) as denominator
from placed as p
inner join membership as m on m.classification_year = p.classification_year and m.gemeente_code = p.gemeente_code
where m.{column} is not null
group by all
''' for level, column in (("gemeente", "gemeente_code"), ("ggd_regio", "ggd_code"), ("provincie", "provincie_code")))}
union all
select data_year, classification_year, indicator_code, 'nederland', 'NL01', breakdown, breakdown_category,
    sum(numerator), sum(denominator)
from placed group by all;

-- the cells: every year, and every {POOLED_YEARS}-year period on the target classification
create or replace table limit_cells as
select data_year as year_from, data_year as year_to, classification_year, indicator_code, region_level,
    region_code, breakdown, breakdown_category, numerator, denominator
from limit_yearly
union all
select w.year_to - {POOLED_YEARS - 1}, w.year_to, y.classification_year, y.indicator_code, y.region_level,
    y.region_code, y.breakdown, y.breakdown_category, sum(y.numerator), sum(y.denominator)
from (select distinct data_year as year_to from limit_yearly
      where data_year - {POOLED_YEARS - 1} >= (select min(data_year) from limit_yearly)) as w
inner join limit_yearly as y
    on y.classification_year = {target} and y.data_year between w.year_to - {POOLED_YEARS - 1} and w.year_to
where y.indicator_code in ({pooled})
group by all;
"""


def cmd_setup(args) -> int:
    import duckdb

    db = Path(args.db)
    db.parent.mkdir(parents=True, exist_ok=True)
    for stale in (db, Path(str(db) + ".wal")):
        stale.unlink(missing_ok=True)
    con = duckdb.connect(str(db))
    con.execute(f"ATTACH '{Path(args.warehouse).resolve().as_posix()}' AS src (READ_ONLY)")
    con.execute("CREATE SCHEMA raw")
    for table in RAW_TABLES:
        con.execute(f'CREATE TABLE raw."{table}" AS SELECT * FROM src.raw."{table}"')
    con.execute("CHECKPOINT")
    con.close()
    print(f"limit database: raw tables {', '.join(RAW_TABLES)} -> {db}")
    return 0


def cmd_run(args) -> int:
    import duckdb

    entries, breakdowns = registry_births()
    started = time.monotonic()
    con = duckdb.connect(args.db)
    target = con.execute("select max(cast(classification_year as integer)) from raw.regions").fetchone()[0]
    sql = limit_sql(target, entries, breakdowns)
    if args.show:
        print(sql)
    con.execute(sql)
    cells = con.execute("select count(*) from limit_cells").fetchone()[0]
    con.close()
    print(f"limit: {cells:,} cells of {len(entries)} indicators in {time.monotonic() - started:.2f}s")
    return 0


def cmd_compare(args) -> int:
    import duckdb

    entries, _ = registry_births()
    codes = ", ".join(f"'{e['code']}'" for e in entries)
    levels = ", ".join(f"'{level}'" for level in LEVELS)
    con = duckdb.connect(":memory:")
    con.execute(f"ATTACH '{Path(args.warehouse).resolve().as_posix()}' AS wh (READ_ONLY)")
    con.execute(f"ATTACH '{Path(args.db).resolve().as_posix()}' AS lim (READ_ONLY)")
    keys = "year_from, year_to, classification_year, indicator_code, region_level, region_code, breakdown, " \
           "breakdown_category"
    failures = []

    # the published counts (unsuppressed cells; a suppressed one publishes no count)
    published, missing, differ = con.execute(f"""
        with w as (
            select {keys}, numerator, denominator from wh.marts.indicator_values
            where indicator_code in ({codes}) and region_level in ({levels}) and numerator is not null)
        select count(*), count(*) filter (where l.numerator is null),
            count(*) filter (where l.numerator is not null
                             and (l.numerator <> w.numerator or l.denominator <> w.denominator))
        from w left join lim.limit_cells as l using ({keys})""").fetchone()
    if missing or differ:
        failures.append(f"published: {missing} cells not in the limit, {differ} with other counts")

    # every cell of the last year counted (suppressed ones too)
    last = con.execute("select max(year) from wh.intermediate.int_indicator_counts").fetchone()[0]
    counted, c_missing, c_differ = con.execute(f"""
        with w as (
            select {keys}, numerator, denominator from wh.intermediate.int_indicator_counts
            where indicator_code in ({codes}) and region_level in ({levels}) and denominator > 0)
        select count(*), count(*) filter (where l.numerator is null),
            count(*) filter (where l.numerator is not null
                             and (l.numerator <> w.numerator or l.denominator <> w.denominator))
        from w left join lim.limit_cells as l using ({keys})""").fetchone()
    if c_missing or c_differ:
        failures.append(f"int_indicator_counts {last}: {c_missing} cells not in the limit, {c_differ} with other counts")
    # and nothing the other way round: a limit cell with a denominator the warehouse does not count
    extra = con.execute(f"""
        select count(*) from lim.limit_cells as l
        left join (select {keys}, denominator from wh.intermediate.int_indicator_counts) as w using ({keys})
        where l.year_from = {last} and l.year_to = {last} and l.denominator > 0
            and coalesce(w.denominator, 0) = 0""").fetchone()[0]
    if extra:
        failures.append(f"{extra} limit cells of {last} with a denominator the warehouse does not have")
    if failures:
        print("limit: NOT equal to the warehouse: " + "; ".join(failures))
        return 1
    print(f"limit: counts equal to the warehouse's ({published:,} published numerators and denominators of "
          f"{len(entries)} birth indicators, yearly and pooled; all {counted:,} counted cells of {last})")
    return 0


def cmd_scan(args) -> int:
    """What reading the extracts costs DuckDB: one read_csv scan per record source over every year's
    file, all columns parsed (the ingest's job, which the limit above starts after)."""
    import duckdb

    inbox = Path(args.inbox)
    started = time.monotonic()
    con = duckdb.connect(":memory:")
    rows = {}
    for source in RAW_TABLES[:3]:
        files = sorted(str(p) for p in inbox.glob(f"{source}/*/*.csv"))
        if not files:
            continue
        rows[source] = con.execute(
            f"select count(*), count(columns(*)) from (select * from read_csv({files!r}, delim=';', header=true, all_varchar=false, "
            f"decimal_separator=',', filename=true, union_by_name=true))").fetchone()[0]
    con.close()
    print(f"scan: {', '.join(f'{k} {v:,}' for k, v in rows.items())} rows read from the CSVs in "
          f"{time.monotonic() - started:.2f}s")
    return 0


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="limit")
    sub = parser.add_subparsers(dest="command", required=True)
    for name, func, options in (("setup", cmd_setup, ("--warehouse", "--db")),
                                ("run", cmd_run, ("--db",)),
                                ("compare", cmd_compare, ("--warehouse", "--db")),
                                ("scan", cmd_scan, ("--inbox",))):
        command = sub.add_parser(name)
        for option in options:
            command.add_argument(option, required=True)
        if name == "run":
            command.add_argument("--show", action="store_true", help="print the SQL")
        command.set_defaults(func=func)
    args = parser.parse_args(argv)
    return args.func(args)


if __name__ == "__main__":
    sys.exit(main())
