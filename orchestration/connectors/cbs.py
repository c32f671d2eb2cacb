"""`ksm cbs fetch`: a CBS StatLine table as the inbox extract of `population` or `regions`.

The extract is written in the layout the ingest already reads (see docs/sources.md):

- population: `inbox/population/<year>/population_<year>.csv` with RegioS, Perioden, Leeftijd,
  BevolkingOp1Januari_1: the gemeenten, ages 0 and 1, totals of every other dimension (sex,
  marital status, ...), period `<year>JJ00`; a suppressed cell stays empty, never 0.
- regions: `inbox/regions/<year>/gebieden_in_nederland_<year>.csv` with the gemeente, provincie
  and GGD-regio codes and names. The columns are found by their titles (topic or measure title
  plus the title of the group it sits in: 'GGD-regio's' / 'Code'), never by key or position,
  since CBS renumbers them every year. The merger list (`herindelingen.csv`) is not a CBS table
  and stays as it is.

Next to the extract goes `<name>.source.json` (table, API, URLs, time, rows, checksum); the
ingest reads `.csv`/`.txt` files only, so the sidecar is never taken for a second extract.
Everything is fetched and checked before anything is written; the files are written to hidden
temporary files in the target folder and renamed at the end, so a failed fetch leaves the inbox
as it was.
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
import json
import os
import re
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from orchestration.sources import POPULATION

from .http import RetryPolicy
from .statline import StatLineClient, StatLineError, Table, period_year

SOURCES = ("population", "regions")
SIDECAR_SUFFIX = ".source.json"
POPULATION_MEASURE = "bevolking op 1 januari"
AGES = (0, 1)
REGION_HEADER = ["Gemeentecode (GM-code)", "Gemeentenaam", "Provinciecode (PV-code)", "Provincienaam",
                 "GGD-regiocode (GG-code)", "GGD-regionaam"]
REGION_FIELDS = ["gemeente_code", "gemeente_name", "provincie_code", "provincie_name", "ggd_code", "ggd_name"]


class CbsFetchError(Exception):
    """Printed as one line by the command; nothing was written."""


@dataclass
class Extract:
    source: str
    year: int
    file_name: str
    header: list[str]
    rows: list[list[str]]
    table: Table
    notes: list[str]


# ---------------------------------------------------------------- finding things by title


def _norm(text: str) -> str:
    return re.sub(r"\s+", " ", text.strip().lower())


def region_field(groups: tuple[str, ...], title: str) -> str | None:
    """Which field of 'Gebieden in Nederland' a topic/measure holds, from its titles.

    CBS nests 'Code' and 'Naam' under a group per area ('Gemeenten', 'Provincies', 'GGD-regio's');
    a flat title such as 'GGD-regiocode' is recognised too. Anything else (other areas, sort
    names, 'Code' of an arbeidsmarktregio) is None.
    """
    own = _norm(title)
    head = own.split("(")[0].strip()  # 'gemeentecode (gm-code)' -> 'gemeentecode'
    if "sortering" in head:
        return None
    if head in ("code", "naam"):
        kind, context = ("code" if head == "code" else "name"), _norm(groups[-1]) if groups else ""
    elif head.endswith(("code", "naam")):
        kind, context = ("code" if head.endswith("code") else "name"), head
    else:
        return None
    if "ggd" in context:
        area = "ggd"
    elif context.startswith("provincie"):
        area = "provincie"
    elif context.startswith("gemeente"):
        area = "gemeente"
    else:
        return None
    return f"{area}_{kind}"


def _one(table: Table, what: str, candidates: list, shown: Callable) -> object:
    if len(candidates) != 1:
        found = ", ".join(shown(c) for c in candidates) or "none"
        raise CbsFetchError(f"table {table.table_id} ({table.title or 'no title'}): expected one {what}, "
                            f"found {found}")
    return candidates[0]


def _measure_label(m) -> str:
    return " / ".join((*m.groups, m.title)) + f" [{m.key}]"


def age_of(code: str, title: str) -> int | None:
    """Age in years of a Leeftijd code from its title ('0 jaar', '1 jaar'); None for groups/totals."""
    match = re.fullmatch(r"(\d+)\s*jaar", _norm(title))
    if match:
        return int(match.group(1))
    return int(code) if code.isdigit() and not title else None


def total_code(table: Table, dim_key: str) -> str:
    """The 'Totaal ...' code of a dimension the extract does not break down by."""
    codes = table.codes.get(dim_key, {})
    hits = [c for c, t in codes.items() if _norm(t).startswith("totaal")]
    if not hits:
        hits = [c for c in codes if c.upper().startswith("T00")]  # CBS's total codes: T001038, ...
    return _one(table, f"'Totaal' code in dimension {dim_key}", hits, lambda c: f"{c} ({codes[c]})")


def _format_number(value: object, where: str) -> str:
    if value is None:
        return ""
    if isinstance(value, bool) or not isinstance(value, (int, float, str)):
        raise CbsFetchError(f"{where}: unexpected value {value!r}")
    if isinstance(value, str):
        return value.strip()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).replace(".", ",")


def _year_in_title(table: Table, year: int) -> None:
    years = {int(y) for y in re.findall(r"\b(?:19|20)\d\d\b", table.title)}
    if len(years) == 1 and year not in years:
        raise CbsFetchError(f"table {table.table_id} is '{table.title}', not the classification of {year}: "
                            f"pass --year {years.pop()} or the table of {year}")


# ---------------------------------------------------------------- the two extracts


def population_extract(client: StatLineClient, year: int) -> Extract:
    table = client.table()
    measure = _one(table, f"topic titled '{POPULATION_MEASURE}'",
                   [m for m in table.measures if _norm(m.title) == POPULATION_MEASURE]
                   or [m for m in table.measures if _norm(m.title).startswith(POPULATION_MEASURE)],
                   _measure_label)
    geo = table.dimension("geo")
    time = table.dimension("time")
    if geo is None or time is None:
        raise CbsFetchError(f"table {table.table_id}: expected one region and one period dimension, "
                            f"found {', '.join(d.key for d in table.dimensions) or 'none'}")
    age_dim = _one(table, "age dimension (Leeftijd)",
                   [d for d in table.dimensions if d.kind == "other" and "leeftijd" in _norm(d.title + " " + d.key)],
                   lambda d: d.key)
    ages = {code: age_of(code, title) for code, title in table.codes[age_dim.key].items()}
    ages = {code: age for code, age in ages.items() if age in AGES}
    if sorted(ages.values()) != list(AGES):
        raise CbsFetchError(f"table {table.table_id}: dimension {age_dim.key} has no single code for each of the "
                            f"ages {', '.join(map(str, AGES))} ('0 jaar', '1 jaar')")
    totals = {d.key: total_code(table, d.key) for d in table.dimensions
              if d.kind == "other" and d.key != age_dim.key}
    period = f"{year}JJ00"

    def keep(dims: dict[str, str]) -> bool:
        return (dims[geo.key].upper().startswith("GM") and period_year(dims[time.key]) == (year, "JJ")
                and dims[age_dim.key] in ages and all(dims[k] == v for k, v in totals.items()))

    rows: dict[tuple[str, int], list[str]] = {}
    for row in client.rows(table, f"{time.key} eq '{period}'", keep):
        key = (row.dims[geo.key].upper(), ages[row.dims[age_dim.key]])
        if key in rows:
            raise CbsFetchError(f"table {table.table_id}: two rows for {key[0]} age {key[1]} in {period}")
        value = _format_number(row.values.get(measure.key), f"table {table.table_id}, {key[0]} age {key[1]}")
        rows[key] = [key[0], period, str(key[1]), value]
    if not rows:
        periods = sorted(table.codes.get(time.key, {}))
        raise CbsFetchError(f"table {table.table_id}: no gemeente rows for {period} "
                            f"(periods in the table: {', '.join(periods[-5:]) or 'none'})")
    missing = sum(1 for r in rows.values() if r[3] == "")
    notes = [f"{len(rows)} rows", f"{missing} suppressed (empty) cell(s)"] if missing else [f"{len(rows)} rows"]
    header = POPULATION.column_names
    return Extract("population", year, f"population_{year}.csv", header,
                   [rows[k] for k in sorted(rows)], table, notes)


def regions_extract(client: StatLineClient, year: int) -> Extract:
    table = client.table()
    _year_in_title(table, year)
    found: dict[str, list] = {f: [] for f in REGION_FIELDS}
    for m in table.measures:
        field = region_field(m.groups, m.title)
        if field:
            found[field].append(m)
    geo = table.dimension("geo")
    time = table.dimension("time")
    columns = {}
    for field in REGION_FIELDS:
        if field in ("gemeente_code", "gemeente_name") and not found[field] and geo is not None:
            columns[field] = None  # the region dimension itself: its code, or its code list's title
            continue
        columns[field] = _one(table, f"column for {field.replace('_', ' ')} by its title",
                              found[field], _measure_label).key

    def keep(dims: dict[str, str]) -> bool:
        if time is not None and period_year(dims[time.key]) not in ((year, "JJ"),):
            return False
        return True

    odata_filter = f"{time.key} eq '{year}JJ00'" if time is not None else None
    records: dict[str, list[str]] = {}
    for row in client.rows(table, odata_filter, keep):
        values = []
        for field in REGION_FIELDS:
            key = columns[field]
            if key is None:
                code = row.dims[geo.key]
                value = code if field == "gemeente_code" else table.codes.get(geo.key, {}).get(code, "")
            else:
                value = row.values.get(key)
            values.append("" if value is None else str(value).strip())
        code = values[0].upper()
        if not code.startswith("GM"):
            continue  # a total or another level, not a gemeente
        for i, field in enumerate(REGION_FIELDS):
            if not values[i]:
                raise CbsFetchError(f"table {table.table_id}: gemeente {code} has no {field.replace('_', ' ')}")
        values[0] = code
        if code in records:
            raise CbsFetchError(f"table {table.table_id}: gemeente {code} appears twice")
        records[code] = values
    if not records:
        raise CbsFetchError(f"table {table.table_id}: no gemeenten found")
    positions = {f: columns[f] or f"{geo.key} dimension" for f in REGION_FIELDS}
    notes = [f"{len(records)} gemeenten", "columns: " + ", ".join(f"{f}={k}" for f, k in positions.items())]
    return Extract("regions", year, f"gebieden_in_nederland_{year}.csv", REGION_HEADER,
                   [records[c] for c in sorted(records)], table, notes)


# ---------------------------------------------------------------- writing into the inbox


def csv_bytes(header: list[str], rows: list[list[str]]) -> bytes:
    """`;`-separated UTF-8 with LF line ends, as the demo extracts."""
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";", lineterminator="\n")
    writer.writerow(header)
    writer.writerows(rows)
    return out.getvalue().encode("utf-8")


def other_extracts(folder: Path, extract: Extract) -> list[Path]:
    """Files in the folder the ingest would take as (another) extract of this source."""
    # imported here: the ingest package pulls in Dagster, which `ksm` must not load to parse arguments
    from orchestration.assets.ingest.extract_files import EXTRACT_SUFFIXES
    from orchestration.assets.ingest.regions import MERGERS_FILE

    if not folder.is_dir():
        return []
    return sorted(
        p for p in folder.iterdir()
        if p.is_file() and p.suffix.lower() in EXTRACT_SUFFIXES and not p.name.startswith(".")
        and p.name != extract.file_name and not (extract.source == "regions" and p.name == MERGERS_FILE)
    )


def write_extract(inbox: Path, extract: Extract, replace: bool = False,
                  now: dt.datetime | None = None) -> tuple[Path, Path]:
    """Write extract and sidecar into inbox/<source>/<year>/ atomically; returns both paths."""
    folder = inbox / extract.source / str(extract.year)
    others = other_extracts(folder, extract)
    if others and not replace:
        names = ", ".join(p.name for p in others)
        raise CbsFetchError(f"{folder} already holds {names}; the ingest reads one extract per folder: "
                            "remove it or pass --replace")
    data = csv_bytes(extract.header, extract.rows)
    target = folder / extract.file_name
    sidecar = folder / (Path(extract.file_name).stem + SIDECAR_SUFFIX)
    meta = {
        "source": extract.source,
        "year": extract.year,
        "table_id": extract.table.table_id,
        "table_title": extract.table.title,
        "api": extract.table.api,
        "urls": extract.table.urls,
        "fetched_at": (now or dt.datetime.now(dt.timezone.utc)).isoformat(timespec="seconds"),
        "rows": len(extract.rows),
        "file": extract.file_name,
        "sha256": hashlib.sha256(data).hexdigest(),
        "notes": extract.notes,
    }
    folder.mkdir(parents=True, exist_ok=True)
    temps = []
    try:
        for path, content in ((target, data), (sidecar, (json.dumps(meta, indent=1) + "\n").encode("utf-8"))):
            tmp = folder / f".{path.name}.{os.getpid()}.part"
            temps.append((tmp, path))
            tmp.write_bytes(content)
        for tmp, path in temps:
            os.replace(tmp, path)
    finally:
        for tmp, _path in temps:
            tmp.unlink(missing_ok=True)
    for path in others:  # only with --replace: the new extract is in place, drop the old one(s)
        path.unlink()
        (folder / (path.stem + SIDECAR_SUFFIX)).unlink(missing_ok=True)
    return target, sidecar


# ---------------------------------------------------------------- the command


def fetch(table_id: str, source: str, year: int, inbox: Path, *, api: str = "v3", base_url: str | None = None,
          catalog: str = "CBS", replace: bool = False, policy: RetryPolicy = RetryPolicy(),
          say: Callable[[str], None] | None = None) -> tuple[Path, Path, Extract]:
    """Fetch a StatLine table as the `source` extract of `year`; raises CbsFetchError."""
    if source not in SOURCES:
        raise CbsFetchError(f"unknown source {source!r} (use {' or '.join(SOURCES)})")
    if not 1900 <= year <= 2100:
        raise CbsFetchError(f"{year} is not a plausible year")
    say = say or (lambda _line: None)
    try:
        client = StatLineClient(table_id, api=api, base_url=base_url, catalog=catalog, policy=policy, say=say)
        say(f"reading {api} table {table_id} from {client.root}")
        extract = (population_extract if source == "population" else regions_extract)(client, year)
    except StatLineError as exc:
        raise CbsFetchError(str(exc)) from None
    target, sidecar = write_extract(inbox, extract, replace=replace)
    return target, sidecar, extract


def add_parser(sub) -> None:
    """Register `ksm cbs fetch` on the `ksm` subcommand parsers."""
    cbs = sub.add_parser("cbs", help="fetch CBS StatLine tables into the inbox")
    cbs_sub = cbs.add_subparsers(dest="cbs_command", required=True)
    p = cbs_sub.add_parser("fetch", help="download a StatLine table as a source's extract for a year")
    p.add_argument("table", help="StatLine table id, e.g. 03759ned (population) or 85385NED (Gebieden 2023)")
    p.add_argument("--source", required=True, choices=SOURCES)
    p.add_argument("--year", required=True, type=int)
    p.add_argument("--api", choices=["v3", "v4"], default="v3", help="StatLine OData API version (default v3)")
    p.add_argument("--base-url", help="API root (default per version: v3 https://opendata.cbs.nl, "
                                      "v4 https://odata4.cbs.nl)")
    p.add_argument("--catalog", default="CBS", help="v4 catalog (default CBS)")
    p.add_argument("--replace", action="store_true",
                   help="remove another extract already in the year's folder once the new one is written")
    p.add_argument("--timeout", type=float, default=60.0, help="seconds per request (default 60)")
    p.add_argument("--retries", type=int, default=5, help="retries on 429/5xx/network errors (default 5)")
    p.set_defaults(func=cmd_fetch)


def cmd_fetch(args) -> int:
    from orchestration.settings import Paths

    paths = Paths.from_env()
    policy = RetryPolicy(timeout=args.timeout, retries=args.retries)
    try:
        target, sidecar, extract = fetch(args.table, args.source, args.year, paths.inbox, api=args.api,
                                         base_url=args.base_url, catalog=args.catalog, replace=args.replace,
                                         policy=policy, say=lambda line: print(f"  {line}", flush=True))
    except CbsFetchError as exc:
        print(f"ksm: cbs fetch {args.table}: {exc}; nothing was written", file=sys.stderr)
        return 2
    print(f"wrote {target} ({'; '.join(extract.notes)})")
    print(f"wrote {sidecar}")
    return 0
