"""Load one RA file (SPSS `.sav`, or its CSV variant) into DuckDB `raw_ra.<table>`.

Only the columns the table needs are read (`usecols`), in chunks of `chunksize` rows that are
appended to a loading table in DuckDB, so a population table is never held whole in Python; a
CSV is read by DuckDB itself. Person keys (RINPERSOONS, RINPERSOON) stay text with their leading
zeros (a number person key, as some deliveries store it, is written back as 9 digits); the
missing forms (empty, `000000000`, `---------`) become NULL, so they never match. A file that
cannot be used raises `RaReadError` with one line naming the file and, where it helps, the
column; the loading table is then dropped and `raw_ra.<table>` keeps what it had. The source file
is only read, never changed.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import duckdb

from orchestration.files import not_a_regular_file
from orchestration.escaping import escaped, named

from .layout import CSV_SUFFIXES, SAV_SUFFIXES, LayoutError, TableSpec, match_columns

SCHEMA = "raw_ra"
# at national size (14 million persons) about 0.5 GiB peak and 70 s CPU; 1,000,000 rows saves a
# fifth of the CPU at twice the memory; other readers measured: docs/performance.md
DEFAULT_CHUNK_ROWS = 200_000
# a present person number: exactly nine digits
PERSON_NUMBER_PATTERN = "[0-9]{9}"
# the missing forms of a key: empty, all zeros, all dashes (after trimming spaces)
MISSING_KEY_PATTERN = "0*|-*"


class RaReadError(LayoutError):
    """One RA file cannot be loaded; the message names the file (and the column)."""


@dataclass(frozen=True)
class LoadedFile:
    table: str
    file: Path
    year: int | None
    rows: int
    chunks: int
    columns: dict[str, str]  # raw_ra name -> the file's own name
    missing_keys: dict[str, int]  # RINPERSOON column -> rows whose key is missing (NULL)


def _ident(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _lit(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def _key_expr(column: str, numeric: bool, number: bool) -> str:
    """Text of a key column with the missing forms NULL; `number` is RINPERSOON (9 digits),
    otherwise the kind of number (RINPERSOONS)."""
    col = _ident(column)
    if numeric:
        text = f"CAST(CAST({col} AS BIGINT) AS VARCHAR)"
        if number:
            text = f"lpad({text}, 9, '0')"
        return f"CASE WHEN {col} IS NULL OR {col} = 0 THEN NULL ELSE {text} END"
    trimmed = f"trim(CAST({col} AS VARCHAR))"
    return f"CASE WHEN regexp_full_match(coalesce({trimmed}, ''), '{MISSING_KEY_PATTERN}') THEN NULL ELSE {trimmed} END"


def _select_list(spec: TableSpec, columns: dict[str, str], numeric: set[str], year: int | None) -> str:
    numbers = {pair[1] for pair in spec.keys}
    parts = []
    for raw_name, actual in columns.items():
        if raw_name in spec.key_columns:
            expr = _key_expr(actual, actual in numeric, raw_name in numbers)
        else:
            expr = _ident(actual)
        parts.append(f"{expr} AS {_ident(raw_name)}")
    if year is not None:
        parts.append(f"{int(year)} AS ra_year")
    return ", ".join(parts)


def _columns(spec: TableSpec, available: list[str], path: Path) -> dict[str, str]:
    try:
        return match_columns(spec, available, path)
    except RaReadError:
        raise
    except LayoutError as exc:
        raise RaReadError(str(exc)) from None


def _reason(exc: BaseException) -> str:
    """A library's error as a short reason on one line: its first line, and the line naming the
    column where DuckDB gives one."""
    lines = [line.strip() for line in str(exc).splitlines() if line.strip()] or [type(exc).__name__]
    kept = [lines[0]] + [line for line in lines[1:] if line.startswith("Error when converting column")]
    return escaped("; ".join(kept), 240)


def _refuse_unreadable(path: Path) -> None:
    why = not_a_regular_file(path)
    if why:
        raise RaReadError(f"{named(path)} {why}")


def _sav_columns(path: Path) -> list[str]:
    import pyreadstat

    try:
        _, meta = pyreadstat.read_sav(str(path), metadataonly=True)
    except Exception as exc:  # pyreadstat's errors name no file: say which one and why
        raise RaReadError(f"{named(path)}: not a readable SPSS .sav file "
                          f"({_reason(exc)})") from None
    return list(meta.column_names)


def _load_sav_chunks(con, spec, path, columns, year, loading, chunk_rows) -> int:
    import pyreadstat

    chunks = 0
    reader = pyreadstat.read_file_in_chunks(
        pyreadstat.read_sav, str(path), chunksize=chunk_rows,
        usecols=list(columns.values()), dates_as_pandas_datetime=True)
    try:
        for frame, _ in reader:
            if frame.empty:
                continue
            numeric = {c for c in frame.columns if frame[c].dtype.kind in "fiub"}
            con.register("ra_chunk", frame)
            try:
                select = _select_list(spec, columns, numeric, year)
                if chunks == 0:
                    con.execute(f"CREATE TABLE {loading} AS SELECT {select} FROM ra_chunk")
                else:
                    con.execute(f"INSERT INTO {loading} BY NAME SELECT {select} FROM ra_chunk")
            except duckdb.Error as exc:
                raise RaReadError(f"{named(path)}: chunk {chunks + 1} does not fit the earlier rows "
                                  f"({_reason(exc)})") from None
            finally:
                con.unregister("ra_chunk")
            chunks += 1
    except RaReadError:
        raise
    except Exception as exc:
        raise RaReadError(f"{named(path)}: reading stopped after {chunks} chunk(s) "
                          f"({_reason(exc)})") from None
    return chunks


def _csv_options(spec: TableSpec) -> str:
    return (f"delim={_lit(spec.csv_delimiter)}, decimal_separator={_lit(spec.csv_decimal)}, "
            f"header=true, encoding={_lit(spec.encoding)}")


def _csv_columns(con, spec: TableSpec, path: Path) -> list[str]:
    try:
        rel = con.sql(f"SELECT * FROM read_csv({_lit(str(path))}, {_csv_options(spec)}, all_varchar=true) LIMIT 0")
        return list(rel.columns)
    except duckdb.Error as exc:
        raise RaReadError(f"{named(path)}: not a readable CSV file "
                          f"({_reason(exc)})") from None


def _load_csv(con, spec, path, columns, year, loading) -> int:
    keys = {columns[c] for c in spec.key_columns if c in columns}
    types = ", types={" + ", ".join(f"{_lit(k)}: 'VARCHAR'" for k in sorted(keys)) + "}" if keys else ""
    select = _select_list(spec, columns, set(), year)
    try:
        con.execute(f"CREATE TABLE {loading} AS SELECT {select} FROM read_csv({_lit(str(path))}, "
                    f"{_csv_options(spec)}{types})")
    except duckdb.Error as exc:
        raise RaReadError(f"{named(path)}: cannot be read as {spec.name} "
                          f"({_reason(exc)})") from None
    return 1


def _check_keys(con, spec, path, columns, loading) -> dict[str, int]:
    """Person numbers that are present must be nine digits; one line naming the column else."""
    missing = {}
    for _, number in spec.keys:
        if number not in columns:
            continue
        bad, example, nulls = con.execute(
            f"SELECT count(*) FILTER (WHERE {_ident(number)} IS NOT NULL AND NOT regexp_full_match("
            f"{_ident(number)}, '{PERSON_NUMBER_PATTERN}')), "
            f"min({_ident(number)}) FILTER (WHERE NOT regexp_full_match({_ident(number)}, '{PERSON_NUMBER_PATTERN}')), "
            f"count(*) FILTER (WHERE {_ident(number)} IS NULL) FROM {loading}").fetchone()
        if bad:
            raise RaReadError(f"{named(path)}: column {escaped(columns[number], 60)}: {bad} value(s) are not a "
                              f"9-digit person number (e.g. {escaped(example, 20)!r})")
        missing[number] = nulls
    return missing


def table_exists(con: duckdb.DuckDBPyConnection, schema: str, table: str) -> bool:
    return bool(con.execute("SELECT count(*) FROM information_schema.tables WHERE table_schema = ? "
                            "AND table_name = ?", [schema, table]).fetchall()[0][0])


def load_ra_file(con: duckdb.DuckDBPyConnection, spec: TableSpec, path: Path, *, year: int | None = None,
                 chunk_rows: int = DEFAULT_CHUNK_ROWS) -> LoadedFile:
    """Load `path` as `raw_ra.<spec.name>`: replace the table (a one-file table) or that year's
    rows (`year` given: rows carry `ra_year`). All or nothing: on any error the table is as it was."""
    path = Path(path)
    _refuse_unreadable(path)
    suffix = path.suffix.lower()
    if suffix not in SAV_SUFFIXES + CSV_SUFFIXES:
        raise RaReadError(f"{named(path)}: not a .sav or .csv file")
    con.execute(f"CREATE SCHEMA IF NOT EXISTS {SCHEMA}")
    target = f"{SCHEMA}.{_ident(spec.name)}"
    loading = f"{SCHEMA}.{_ident(spec.name + '__loading')}"
    con.execute(f"DROP TABLE IF EXISTS {loading}")
    try:
        if suffix in SAV_SUFFIXES:
            columns = _columns(spec, _sav_columns(path), path)
            chunks = _load_sav_chunks(con, spec, path, columns, year, loading, chunk_rows)
        else:
            columns = _columns(spec, _csv_columns(con, spec, path), path)
            chunks = _load_csv(con, spec, path, columns, year, loading)
        rows = con.execute(f"SELECT count(*) FROM {loading}").fetchone()[0] if chunks else 0
        if not rows:
            raise RaReadError(f"{named(path)}: no rows; {spec.name} keeps what it had")
        missing = _check_keys(con, spec, path, columns, loading)
        con.execute("BEGIN TRANSACTION")
        try:
            if year is None or not table_exists(con, SCHEMA, spec.name):
                con.execute(f"DROP TABLE IF EXISTS {target}")
                con.execute(f"ALTER TABLE {loading} RENAME TO {_ident(spec.name)}")
            else:
                # a variable that only some years have (an optional column) joins the table
                for name, kind in con.execute(
                        "SELECT column_name, data_type FROM information_schema.columns WHERE table_schema = ? "
                        "AND table_name = ? AND column_name NOT IN (SELECT column_name FROM "
                        "information_schema.columns WHERE table_schema = ? AND table_name = ?)",
                        [SCHEMA, spec.name + "__loading", SCHEMA, spec.name]).fetchall():
                    con.execute(f"ALTER TABLE {target} ADD COLUMN {_ident(name)} {kind}")
                con.execute(f"DELETE FROM {target} WHERE ra_year = {int(year)}")
                con.execute(f"INSERT INTO {target} BY NAME SELECT * FROM {loading}")
                con.execute(f"DROP TABLE {loading}")
            con.execute("COMMIT")
        except duckdb.Error as exc:
            con.execute("ROLLBACK")
            raise RaReadError(f"{named(path)}: cannot be added to {target} "
                              f"({_reason(exc)})") from None
    except BaseException:
        con.execute(f"DROP TABLE IF EXISTS {loading}")
        raise
    return LoadedFile(spec.name, path, year, rows, chunks, columns, missing)


def load_ra_table(con: duckdb.DuckDBPyConnection, layout, table: str, *,
                  chunk_rows: int = DEFAULT_CHUNK_ROWS) -> list[LoadedFile]:
    """Every file of `table` that counts under `layout` (per year the newest version, or the
    newest file), loaded into `raw_ra.<table>`."""
    from .layout import resolve_table

    spec = layout.table(table)
    resolution = resolve_table(layout, table)
    if resolution.without_year:
        raise RaReadError(f"{named(resolution.without_year[0])}: {table} has a file per year, but this "
                          "file's name has no year; rename or move it")
    if not resolution.chosen:
        raise RaReadError(f"{table}: no file found by {', '.join(escaped(g, 120) for g in spec.globs)}")
    return [load_ra_file(con, spec, Path(path), year=year, chunk_rows=chunk_rows)
            for year, path in resolution.chosen.items()]
