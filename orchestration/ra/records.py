"""The RA layout's records of a year: RA tables in, the year's rows of the record-level sources out.

In the RA layout (the home has an `ra_layout.toml`) the sources `perined`, `cbs_linked`,
`vektis` and `youth_protection` are not delivered as extracts: for each year

1. `refresh_raw_ra` reads the RA tables that changed since they were last read into `raw_ra`
   (a one-file table when its chosen file changed, a per-year table for the year being built);
2. `dbt build --select tag:ra_layout` (models/ra: a staging view per CBS table, the links and
   flags, and a model per source in the extract's columns) derives the year's records;
3. `derived_extract` hands a source's rows to the ingest as if they were a delivered extract, so
   the same checks, quarantine and loading apply and one pipeline serves both layouts from raw on.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from pathlib import Path

import duckdb

from orchestration.escaping import escaped, named
from orchestration.errors import UserError
from orchestration.settings import Paths

from .layout import RaLayout, load_layout, resolve_table
from .read_sav import SCHEMA, RaReadError, load_ra_file, table_exists

RA_LAYOUT_TAG = "ra_layout"
# the record-level sources the RA layout derives instead of reading them from the inbox
DERIVED_SOURCES = ("perined", "cbs_linked", "vektis", "youth_protection")
FILES_LOG = f"{SCHEMA}._files"
FILES_LOG_DDL = f"""
CREATE TABLE IF NOT EXISTS {FILES_LOG} (
    table_name VARCHAR, year INTEGER, path VARCHAR, size BIGINT, mtime_ns BIGINT, rows BIGINT,
    loaded_at TIMESTAMP DEFAULT current_timestamp
)
"""
# files larger than this get a line before they are read (100 MB: about half a minute or more)
LONG_READ_BYTES = 100_000_000
# how a birth was placed (int_ra_placement.placement), in the order the run summary says them
PLACEMENTS = {"adres": "by address on 30 June", "terugval": "by a later address in the year",
              "geen": "not at all (Nederland only)"}


def uses_ra_layout(paths: Paths) -> bool:
    return paths.ra_layout_file.exists()


def home_layout(paths: Paths) -> RaLayout:
    return load_layout(paths.ra_layout_file)


def inbox_sources(paths: Paths) -> list[str]:
    """The sources a year needs in the inbox: all of them, or in the RA layout those not
    derived from the RA tables (regions, population, questionnaire)."""
    from orchestration.sources import ALL_SOURCES

    derived = set(DERIVED_SOURCES) if uses_ra_layout(paths) else set()
    return [s for s in ALL_SOURCES if s not in derived]


def ra_inputs(paths: Paths, years: list[int]) -> dict[int, dict[str, str]]:
    """In the RA layout, per year the files that count for it as {'ra/<table>/<file>':
    'size:mtime'} (what the inbox sensor watches for a change; the files are far too large to hash
    on every look). Each table's folders are walked once for all `years`. {} per year in the
    extract layout or when the layout cannot be resolved now (the run then says why)."""
    found: dict[int, dict[str, str]] = {year: {} for year in years}
    if not uses_ra_layout(paths):
        return found
    try:
        layout = home_layout(paths)
        for name, spec in layout.tables.items():
            chosen = resolve_table(layout, name).chosen
            for year in years:
                path = chosen.get(year if spec.per_year else None)
                if path is not None:
                    stat = Path(path).stat()
                    found[year][f"ra/{name}/{Path(path).name}"] = f"{stat.st_size}:{stat.st_mtime_ns}"
    except (UserError, OSError):
        return {year: {} for year in years}
    return found


@dataclass(frozen=True)
class TableRead:
    table: str
    year: int | None
    path: Path
    rows: int
    fresh: bool  # read now (False: unchanged since it was last read)


def refresh_raw_ra(con: duckdb.DuckDBPyConnection, layout: RaLayout, year: int, say=None) -> list[TableRead]:
    """Read into raw_ra every table's file that counts for `year` and changed since it was last
    read (size or modification time): one-file tables whole, per-year tables their `year` file.
    A per-year table without a file for the year is one line naming the table and the globs."""
    say = say or (lambda _line: None)
    con.execute(f"CREATE SCHEMA IF NOT EXISTS {SCHEMA}")
    con.execute(FILES_LOG_DDL)
    done = []
    for name, spec in layout.tables.items():
        chosen = resolve_table(layout, name).chosen
        key = year if spec.per_year else None
        if key not in chosen:
            where = f" for {year}" if spec.per_year else ""
            raise RaReadError(f"{name}: no file{where} found by {', '.join(spec.globs)}")
        path = Path(chosen[key])
        stat = path.stat()
        seen = con.execute(
            f"SELECT size, mtime_ns, path, rows FROM {FILES_LOG} WHERE table_name = ? AND year IS NOT DISTINCT FROM ?",
            [name, key]).fetchall()
        if seen and seen[0][:3] == (stat.st_size, stat.st_mtime_ns, str(path)):
            done.append(TableRead(name, key, path, seen[0][3], False))
            continue
        if stat.st_size > LONG_READ_BYTES:  # a population table takes minutes: say so before
            say(f"{year} RA {name}: reading {named(path.name)} ({stat.st_size / 1e6:,.0f} MB) ...")
        loaded = load_ra_file(con, spec, path, year=key)
        con.execute(f"DELETE FROM {FILES_LOG} WHERE table_name = ? AND year IS NOT DISTINCT FROM ?", [name, key])
        con.execute(f"INSERT INTO {FILES_LOG} (table_name, year, path, size, mtime_ns, rows) VALUES (?, ?, ?, ?, ?, ?)",
                    [name, key, str(path), stat.st_size, stat.st_mtime_ns, loaded.rows])
        say(f"{year} RA {name}: {loaded.rows:,} rows read from {named(path.name)}")
        done.append(TableRead(name, key, path, loaded.rows, True))
    return done


def build_records(dbt, paths: Paths, year: int, run_id: str, say=None) -> None:
    """`dbt build --select tag:ra_layout` for `year` (the models of models/ra and their tests),
    with this home's dbt run folder and parse state, like the yearly build."""
    from orchestration.dbt_invocation import (BUILD_YEAR_ENV, extra_env, invocation_target, keep_parse_state,
                                              parse_state_cache, seed_parse_state)
    from orchestration.dbt_manifest import ensure_dbt_manifest

    say = say or (lambda _line: None)
    target = invocation_target(paths, run_id, f"ra-{year}")
    cache = parse_state_cache(paths)
    seed_parse_state(cache, target)
    args = ["build", "--select", f"tag:{RA_LAYOUT_TAG}", "--exclude-resource-type", "unit_test"]
    with extra_env({BUILD_YEAR_ENV: str(year)}):
        invocation = dbt.cli(args, manifest=ensure_dbt_manifest(), raise_on_error=False, target_path=target)
        problems = [_problem(event.raw_event.get("info", {})) for event in invocation.stream_raw_events()]
        invocation.wait()
    keep_parse_state(target, cache)
    if not invocation.is_successful():
        # once each, sorted: dbt's threads report failed nodes in the order they finish
        found = sorted(set(p for p in problems if p))
        problems_text = escaped(": ".join(found[:3]), 400) if found else "see the dbt log"
        raise RaRecordsError(f"deriving the records from the RA tables failed: {problems_text} "
                             f"(dbt log in {named(target)})")
    say(f"{year} RA records derived (dbt models tagged {RA_LAYOUT_TAG})")


# dbt's events that say what went wrong (not the progress lines that only say that it did)
PROBLEM_EVENTS = {"RunResultError", "RunResultFailure", "RunResultErrorNoMessage", "MainEncounteredError"}


def _problem(info: dict) -> str | None:
    """One line of a dbt event that says what went wrong, or None."""
    if info.get("name") not in PROBLEM_EVENTS or not info.get("msg"):
        return None
    text = re.sub(r"\x1b\[[0-9;]*m", "", info["msg"])  # dbt colours its lines
    return ": ".join(line.strip() for line in text.splitlines() if line.strip()) or None


class RaRecordsError(RaReadError):
    """The RA models could not derive the year's records; one line says where."""


def derived_extract(con: duckdb.DuckDBPyConnection, source: str, year: int):
    """The year's rows of `source` from the RA models (schema `ra`, model `ra_<source>`, its
    columns the extract's) as a parsed extract: row numbers stand in for line numbers."""
    from orchestration.assets.ingest.extract_files import ParsedExtract  # the ingest imports this module

    # the RA models hold one build year: refuse rows of another year, or none derived at all
    # (a Dagster code location loaded before the home switched to the RA layout has no RA step)
    derived = table_exists(con, "ra", f"ra_{source}") and table_exists(con, "ra", "int_ra_births")
    built = con.execute("SELECT max(birth_year) FROM ra.int_ra_births").fetchall()[0] if derived else (None,)
    if built[0] != year:
        raise RaRecordsError(f"the {source} records of {year} were not derived from the RA tables in this run "
                             f"(the RA step raw/ra_records did not run for {year}; reload the code location "
                             "after adding ra_layout.toml)")
    relation = con.sql(f"SELECT * FROM ra.ra_{source}")
    header = list(relation.columns)
    rows = [["" if v is None else str(v) for v in row] for row in relation.fetchall()]
    digest = hashlib.sha256()
    for row in rows:
        digest.update(("\x1f".join(row) + "\n").encode("utf-8"))
    return ParsedExtract(path=Path(f"ra_{source}_{year}.derived"), sha256=digest.hexdigest(), encoding="utf-8",
                         delimiter=";", header=header, rows=rows, line_numbers=list(range(2, len(rows) + 2)),
                         notes=[f"derived from the RA tables (dbt model ra.ra_{source})"])


def placement_counts(con: duckdb.DuckDBPyConnection) -> dict[str, int]:
    """How the year's births were placed: {placement: births} in PLACEMENTS' order."""
    found = dict(con.execute(
        "SELECT coalesce(p.placement, 'geen'), count(*) FROM ra.int_ra_births AS b "
        "LEFT JOIN ra.int_ra_placement AS p ON p.mother_key = b.mother_key GROUP BY ALL").fetchall())
    return {key: int(found.get(key, 0)) for key in PLACEMENTS}


def placement_line(year: int, counts: dict[str, int]) -> str:
    total = sum(counts.values())
    parts = [f"{counts[key]:,} {label}" for key, label in PLACEMENTS.items()]
    return f"{year} births placed ({total:,}): " + ", ".join(parts)
