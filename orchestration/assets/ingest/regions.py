"""The regions reference: every classification year in the inbox, the merger list, and the code map.

`inbox/regions/<year>/` holds CBS "Gebieden in Nederland" for that year's 1 January
classification and the merger list (`herindelingen.csv`). Unlike the yearly sources this is
reference data: every run reloads all classification years, because putting a year's records on
the newest classification needs the newest classification and every merger in between.
The GGD-regio and provincie columns are found by their titles, since CBS moves them between years.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pandas as pd

from orchestration.codes import parse_gemeente_code
from orchestration.escaping import escaped, named
from orchestration.regions import Merger, code_mapping

from .extract_files import (ExtractRejected, candidate_files, extract_files, parse_extract, refuse_irregular,
                            refuse_linked_folder, shown)
from .load import DECIMAL_PATTERN, INGEST_LOG_DDL, text_problem

MERGERS_FILE = "herindelingen.csv"

# field -> predicate on the lower-cased column title
TITLE_RULES = {
    "gemeente_code": lambda t: "gemeentecode" in t and "gm" in t,
    "gemeente_name": lambda t: "gemeentenaam" in t,
    "provincie_code": lambda t: "provinciecode" in t,
    "provincie_name": lambda t: "provincienaam" in t,
    "ggd_code": lambda t: "ggd" in t and "code" in t,
    "ggd_name": lambda t: "ggd" in t and "naam" in t,
}
MERGER_COLUMNS = ["datum", "oude_code", "oude_naam", "nieuwe_code", "nieuwe_naam", "aandeel"]


@dataclass
class RegionsLoad:
    years: list[int]
    gemeenten_per_year: dict[int, int]
    mergers: int
    map_rows: int
    checksums: dict[str, str]


def find_columns(header: list[str], path: Path) -> dict[str, int]:
    """Position of each needed field, found by its title."""
    positions: dict[str, int] = {}
    for field, rule in TITLE_RULES.items():
        hits = [i for i, title in enumerate(header) if rule(title.strip().lower())]
        if len(hits) != 1:
            found = "none" if not hits else ", ".join(header[i] for i in hits)
            raise ExtractRejected(
                f"{named(path)}, line 1 (header): expected one column for {field} by its title, "
                f"found {shown(found)}"
            )
        positions[field] = hits[0]
    return positions


def check_fields(path: Path, line: int, header: list[str], row: list[str]) -> None:
    """The field rules of the yearly sources (control characters, length, formulas) on every
    field of a reference row; reference data are not quarantined row by row (a gemeente left out
    would lose its records), so the first bad field rejects the file, naming file, line and column."""
    for title, value in zip(header, row):
        problem = text_problem(value)
        if problem:
            raise ExtractRejected(f"{named(path)}, line {line}, column {escaped(title, 60)}: {problem}")


def read_classification(path: Path, year: int) -> tuple[pd.DataFrame, str]:
    parsed = parse_extract(path, ["gemeentecode (gm-code)", "gemeentenaam", "ggd-regiocode (gg-code)"],
                           allow_plain=False)
    pos = find_columns(parsed.header, path)
    records = []
    seen: dict[str, int] = {}
    for row, line in zip(parsed.rows, parsed.line_numbers):
        if len(row) != len(parsed.header):
            raise ExtractRejected(f"{named(path)}, line {line}: {len(row)} fields, "
                                  f"the header has {len(parsed.header)}")
        check_fields(path, line, parsed.header, row)
        rec = {field: row[i].strip() for field, i in pos.items()}
        code = parse_gemeente_code(rec["gemeente_code"])
        if code is None:
            raise ExtractRejected(f"{named(path)}, line {line}, column {escaped(parsed.header[pos['gemeente_code']])}: "
                                  f"{shown(rec['gemeente_code'])} is not a gemeente code")
        if code in seen:
            raise ExtractRejected(f"{named(path)}, line {line}: gemeente {code} listed twice (also line {seen[code]})")
        seen[code] = line
        for field, prefix in (("provincie_code", "PV"), ("ggd_code", "GG")):
            if not rec[field].upper().startswith(prefix):
                raise ExtractRejected(f"{named(path)}, line {line}, column {escaped(parsed.header[pos[field]])}: "
                                      f"{shown(rec[field])} is not a {prefix} code")
            rec[field] = rec[field].upper()
        rec["gemeente_code"] = code
        rec["classification_year"] = year
        records.append(rec)
    return pd.DataFrame.from_records(records), parsed.sha256


def read_mergers(path: Path) -> tuple[list[Merger], str]:
    parsed = parse_extract(path, MERGER_COLUMNS, allow_plain=False)
    header = [h.lower() for h in parsed.header]
    missing = [c for c in MERGER_COLUMNS if c not in header]
    if missing:
        raise ExtractRejected(f"{named(path)}, line 1 (header): missing column(s) {', '.join(missing)}")
    idx = {c: header.index(c) for c in MERGER_COLUMNS}
    mergers = []
    for row, line in zip(parsed.rows, parsed.line_numbers):
        if len(row) != len(parsed.header):
            raise ExtractRejected(f"{named(path)}, line {line}: {len(row)} fields, "
                                  f"the header has {len(parsed.header)}")
        check_fields(path, line, parsed.header, row)
        get = {c: row[i].strip() for c, i in idx.items()}
        try:
            date = dt.date.fromisoformat(get["datum"])
        except ValueError:
            raise ExtractRejected(f"{named(path)}, line {line}, column datum: {shown(get['datum'])} "
                                  "is not a date YYYY-MM-DD") from None
        if not re.fullmatch(DECIMAL_PATTERN, get["aandeel"] or "1"):
            raise ExtractRejected(f"{named(path)}, line {line}, column aandeel: {shown(get['aandeel'])} "
                                  "is not a number")
        share = float((get["aandeel"] or "1").replace(",", "."))
        for column in ("oude_code", "nieuwe_code"):
            if parse_gemeente_code(get[column]) is None:
                raise ExtractRejected(f"{named(path)}, line {line}, column {column}: {shown(get[column])} "
                                      "is not a gemeente code")
        old, new = parse_gemeente_code(get["oude_code"]), parse_gemeente_code(get["nieuwe_code"])
        if not 0 < share <= 1:
            raise ExtractRejected(f"{named(path)}, line {line}, column aandeel: {share} outside (0, 1]")
        mergers.append(Merger(date, old, get["oude_naam"], new, get["nieuwe_naam"], share))
    return mergers, parsed.sha256


def classification_file(inbox_regions: Path, year: int) -> Path:
    """The year's CBS 'Gebieden in Nederland' file, or an error naming the file that is missing.
    Every year's figures need the classification of that year (its own gemeenten, GGD-regio's and
    provincies): it comes from the data, never from the code."""
    folder = inbox_regions / str(year)
    files = sorted(p for p in extract_files(folder) if p.name != MERGERS_FILE)
    if not files:
        raise ExtractRejected(
            f"no gemeente classification for {year}: expected {named(folder / f'gebieden_in_nederland_{year}.csv')} "
            f"(CBS 'Gebieden in Nederland' {year}, e.g. `ksm cbs fetch <table> --source regions --year {year}`)")
    if len(files) > 1:
        raise ExtractRejected(f"{named(folder)}: expected exactly one Gebieden in Nederland file, found "
                              f"{len(files)} ({', '.join(named(p.name) for p in files)})")
    return files[0]


def load_regions(con: duckdb.DuckDBPyConnection, inbox_regions: Path) -> RegionsLoad:
    """Replace raw.regions, raw.region_mergers and raw.gemeente_code_map from the inbox."""
    years = sorted(int(p.name) for p in inbox_regions.glob("[0-9][0-9][0-9][0-9]") if p.is_dir())
    if not years:
        raise ExtractRejected(f"no regions reference in {named(inbox_regions)}: expected folders per year")
    frames, checksums = [], {}
    merger_set: dict[tuple, Merger] = {}
    for year in years:
        folder = inbox_regions / str(year)
        refuse_linked_folder(folder)
        refuse_irregular(candidate_files(folder))
        classification = classification_file(inbox_regions, year)
        frame, sha = read_classification(classification, year)
        frames.append(frame)
        checksums[f"{year}/{classification.name}"] = sha
        merger_path = folder / MERGERS_FILE
        if merger_path.exists() or merger_path.is_symlink():
            found, sha = read_mergers(merger_path)
            checksums[f"{year}/{MERGERS_FILE}"] = sha
            for m in found:
                merger_set[(m.date, m.old_code, m.new_code)] = m
    regions = pd.concat(frames, ignore_index=True)
    mergers = sorted(merger_set.values(), key=lambda m: (m.date, m.old_code, m.new_code))
    _check_split_shares(mergers)

    codes_by_year = {y: set(regions.loc[regions.classification_year == y, "gemeente_code"]) for y in years}
    map_rows = []
    for from_year in years:
        for to_year in (y for y in years if y >= from_year):
            mapping = code_mapping(mergers, from_year, to_year, sorted(codes_by_year[from_year]))
            for from_code, targets in mapping.items():
                for to_code, share in targets:
                    if to_code not in codes_by_year[to_year]:
                        raise ExtractRejected(
                            f"{named(inbox_regions)}: the merger list maps {from_code} ({from_year}) to {to_code}, "
                            f"which is not a gemeente of the {to_year} classification"
                        )
                    map_rows.append((from_year, from_code, to_year, to_code, share, len(targets) > 1))
    code_map = pd.DataFrame(map_rows, columns=["from_year", "from_code", "to_year", "to_code", "share", "is_split"])
    merger_frame = pd.DataFrame(
        [(m.date, m.classification_year, m.old_code, m.old_name, m.new_code, m.new_name, m.share) for m in mergers],
        columns=["merger_date", "classification_year", "old_code", "old_name", "new_code", "new_name", "share"],
    )

    con.execute("CREATE SCHEMA IF NOT EXISTS raw")
    con.register("_regions", regions)
    con.register("_mergers", merger_frame)
    con.register("_code_map", code_map)
    con.execute("BEGIN TRANSACTION")
    try:
        con.execute(
            "CREATE OR REPLACE TABLE raw.regions AS SELECT CAST(classification_year AS INTEGER) AS classification_year, "
            "gemeente_code, gemeente_name, provincie_code, provincie_name, ggd_code, ggd_name FROM _regions"
        )
        con.execute(
            "CREATE OR REPLACE TABLE raw.region_mergers AS SELECT CAST(merger_date AS DATE) AS merger_date, "
            "CAST(classification_year AS INTEGER) AS classification_year, old_code, old_name, new_code, new_name, "
            "CAST(share AS DOUBLE) AS share FROM _mergers"
        )
        con.execute(
            "CREATE OR REPLACE TABLE raw.gemeente_code_map AS SELECT CAST(from_year AS INTEGER) AS from_year, "
            "from_code, CAST(to_year AS INTEGER) AS to_year, to_code, CAST(share AS DOUBLE) AS share, "
            "CAST(is_split AS BOOLEAN) AS is_split FROM _code_map"
        )
        con.execute(INGEST_LOG_DDL)
        con.execute("DELETE FROM raw.ingest_log WHERE source = 'regions'")
        for key, sha in checksums.items():
            year_text, file_name = key.split("/", 1)
            con.execute(
                "INSERT INTO raw.ingest_log (source, year, file_name, sha256, loaded_at) "
                "VALUES ('regions', ?, ?, ?, now())", [int(year_text), file_name, sha])
        con.execute("COMMIT")
    except Exception:
        con.execute("ROLLBACK")
        raise
    finally:
        for name in ("_regions", "_mergers", "_code_map"):
            con.unregister(name)
    return RegionsLoad(years, {y: len(codes_by_year[y]) for y in years}, len(mergers), len(code_map), checksums)


def _check_split_shares(mergers: list[Merger]) -> None:
    totals: dict[tuple, float] = {}
    for m in mergers:
        totals[(m.date, m.old_code)] = totals.get((m.date, m.old_code), 0.0) + m.share
    bad = [f"{code} ({date})" for (date, code), total in totals.items() if abs(total - 1.0) > 1e-6]
    if bad:
        raise ExtractRejected(f"merger list: the shares of {', '.join(bad)} do not add up to 1")
