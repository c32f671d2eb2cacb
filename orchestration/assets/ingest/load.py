"""Validate a parsed extract row by row in DuckDB and load it into `raw`, quarantining bad rows.

Every row read ends up either in `raw.<source>` (typed, gemeente codes made canonical) or in
`quarantine/<source>/<year>/<file>.rejected.csv` with the line number and the reason naming the
column. A row whose gemeente code is unknown or invalid is *kept* for record-level sources:
Nederland counts it, and its status column says why no gemeente gets it.
"""

from __future__ import annotations

import csv
import datetime as dt
import re
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pandas as pd

from orchestration.codes import GEMEENTE_CODE_MACRO
from orchestration.escaping import CONTROL_CHAR_PATTERN, escaped, named
from orchestration.faults import pause_point
from orchestration.sources import Column, SourceSpec

from .extract_files import ExtractRejected, ParsedExtract, file_sha256, shown

# free text and ids longer than this are junk (a pasted blob, a runaway field), not data
TEXT_MAX_LENGTH = 200
# whole numbers as delivered: digits, a sign, at most a zero fraction ('39', '39,0');
# DuckDB's own cast would round '36.6' to 37 and read '1e2', '0x27' and '1_000'. A fraction of
# exactly three digits is left out: '1.000' is one thousand in the Dutch convention (a thousands
# separator) and 1 in the English one, so it is quarantined, never read as either
WHOLE_NUMBER_PATTERN = r"^[+-]?[0-9]+([.,](0|00|0000+))?$"
# digits grouped by three with points or commas ('1.000', '12,500', '1.000.000'): say why
THOUSANDS_PATTERN = r"^[+-]?[0-9]{1,3}([.,][0-9]{3})+$"
DECIMAL_PATTERN = r"^[+-]?([0-9]+([.,][0-9]*)?|[.,][0-9]+)$"
# what a spreadsheet would run: '=' or '@' first, or a sign, tab or CR first and not a plain
# number ('-5' is data, '-2+3+cmd|...' is a formula); one rule for the check and the quarantine file
FORMULA_START_PATTERN = r"^[=@]|^[+\-\t\r]."

INGEST_LOG_DDL = """
CREATE SCHEMA IF NOT EXISTS raw;
CREATE TABLE IF NOT EXISTS raw.ingest_log (
    source VARCHAR, year INTEGER, file_name VARCHAR, sha256 VARCHAR,
    rows_read BIGINT, rows_accepted BIGINT, rows_quarantined BIGINT,
    unknown_gemeente BIGINT, notes VARCHAR, loaded_at TIMESTAMP
);
-- since a load whose outcome would be the same is skipped (reuse.py); NULL in rows of earlier loads
ALTER TABLE raw.ingest_log ADD COLUMN IF NOT EXISTS load_key VARCHAR;
ALTER TABLE raw.ingest_log ADD COLUMN IF NOT EXISTS slice_digest VARCHAR;
ALTER TABLE raw.ingest_log ADD COLUMN IF NOT EXISTS quarantine_sha256 VARCHAR;
"""


@dataclass
class LoadResult:
    source: str
    year: int
    file: Path
    sha256: str
    rows_read: int
    rows_accepted: int
    rows_quarantined: int
    unknown_gemeente: int
    quarantine_file: Path | None
    notes: list[str]
    load_key: str | None = None  # what the load depended on (reuse.load_key); None: not reusable
    reused_from: dt.datetime | None = None  # the time of the load kept, when not loaded again

    def metadata(self) -> dict:
        return {
            "file": str(self.file.name),
            "loaded_now": self.reused_from is None,
            "sha256": self.sha256,
            "rows_read": self.rows_read,
            "rows_accepted": self.rows_accepted,
            "rows_quarantined": self.rows_quarantined,
            "unknown_gemeente": self.unknown_gemeente,
            "quarantine_file": str(self.quarantine_file) if self.quarantine_file else "",
            "notes": "; ".join(self.notes),
        }


def _sql_str(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


def _ident(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _shown(col: str) -> str:
    # the delivered value as it appears in a message, cut short so a huge field stays readable
    # control characters become '?', so a value cannot forge lines wherever the message is shown
    return f"'''' || regexp_replace(left({col}, 40), {_sql_str(CONTROL_CHAR_PATTERN)}, '?', 'g') || ''''"


def column_sql(column: Column, year: int, record_level: bool) -> tuple[list[str], list[str]]:
    """SELECT expressions producing the typed column(s) and the reason expressions for it."""
    src = _ident(column.name)
    trimmed = f"NULLIF(trim({src}), '')"
    label = f"column {column.name}"
    reasons: list[str] = []
    # a NUL, escape or line end inside a value is junk that would silently break a key or a name
    reasons.append(
        f"CASE WHEN regexp_matches({src}, {_sql_str(CONTROL_CHAR_PATTERN)}) THEN {_sql_str(label + ': ')} "
        f"|| {_shown(src)} || ' holds a control character (NUL, escape, line end, ...)' END"
    )
    if column.required and column.kind != "gemeente":
        reasons.append(f"CASE WHEN {trimmed} IS NULL THEN {_sql_str(label + ': missing value')} END")

    def range_reasons(value: str) -> None:
        if column.minimum is not None and column.maximum is not None:
            lo = f"{column.minimum:g}"
            hi = f"{column.maximum:g}"
            reasons.append(
                f"CASE WHEN {value} < {column.minimum} OR {value} > {column.maximum} "
                f"THEN {_sql_str(label + ': value ')} || {_shown(src)} || {_sql_str(f' outside {lo}-{hi}')} END"
            )

    if column.kind == "text":
        reasons.append(
            f"CASE WHEN length({trimmed}) > {TEXT_MAX_LENGTH} THEN {_sql_str(label + ': value of ')} "
            f"|| length({trimmed}) || {_sql_str(f' characters, longer than {TEXT_MAX_LENGTH}')} END"
        )
        reasons.append(
            f"CASE WHEN regexp_matches({trimmed}, {_sql_str(FORMULA_START_PATTERN)}) "
            f"AND NOT regexp_full_match({trimmed}, {_sql_str(DECIMAL_PATTERN)}) THEN {_sql_str(label + ': ')} "
            f"|| {_shown(src)} || ' looks like a spreadsheet formula' END"
        )
        return [f"{trimmed} AS {src}"], reasons
    if column.kind == "int":
        value = _ident(_prepared_name(column))
        reasons.append(
            f"CASE WHEN {trimmed} IS NOT NULL AND ({value}) IS NULL "
            f"THEN {_sql_str(label + ': ')} || {_shown(src)} || ' is not a whole number' "
            f"|| CASE WHEN regexp_full_match({trimmed}, {_sql_str(THOUSANDS_PATTERN)}) "
            f"THEN ' (a thousands separator? write whole numbers as digits only, e.g. 1000)' ELSE '' END END"
        )
        range_reasons(value)
        # TRY_CAST: an out-of-range value is quarantined by its range reason, never a crash here
        return [f"TRY_CAST({value} AS INTEGER) AS {src}"], reasons
    if column.kind == "decimal":
        value = _ident(_prepared_name(column))
        reasons.append(
            f"CASE WHEN {trimmed} IS NOT NULL AND {value} IS NULL "
            f"THEN {_sql_str(label + ': ')} || {_shown(src)} || ' is not a number' END"
        )
        range_reasons(value)
        return [f"{value} AS {src}"], reasons
    if column.kind == "choice":
        value = f"lower({trimmed})"
        allowed = ", ".join(_sql_str(c) for c in column.choices)
        reasons.append(
            f"CASE WHEN {value} IS NOT NULL AND {value} NOT IN ({allowed}) "
            f"THEN {_sql_str(label + ': ')} || {_shown(src)} || {_sql_str(' not one of ' + '/'.join(column.choices))} END"
        )
        return [f"{value} AS {src}"], reasons
    if column.kind == "gemeente":
        code = _ident(_prepared_name(column))
        status = (
            f"CASE WHEN {trimmed} IS NULL THEN 'missing' WHEN {code} IS NULL THEN 'invalid' "
            f"WHEN {code} IN (SELECT gemeente_code FROM raw.regions WHERE classification_year = {year}) "
            f"THEN 'ok' ELSE 'unknown' END"
        )
        if column.required and not record_level:
            # aggregated sources: a row without a valid gemeente of the year cannot be used
            reasons.append(
                f"CASE WHEN ({status}) <> 'ok' THEN {_sql_str(label + ': gemeente code ')} || {_shown(src)} "
                f"|| {_sql_str(f' is not a gemeente of the {year} classification')} END"
            )
        return [
            f"{code} AS {src}",
            f"{trimmed} AS {_ident(column.name + '_delivered')}",
            f"{status} AS {_ident(column.name + '_status')}",
        ], reasons
    raise ValueError(f"unknown column kind {column.kind}")


def _prepared_name(column: Column) -> str:
    return f"_prepared_{column.name}"


def prepared_sql(column: Column) -> str | None:
    """What an inner select computes once per value of the column, for its typed column and its
    reasons to read by name (`_prepared_name`): a number as parsed ('36.6' is not a whole
    number: NULL), a gemeente's canonical code. Each is regular expressions on every row."""
    src = _ident(column.name)
    trimmed = f"NULLIF(trim({src}), '')"
    if column.kind == "int":
        whole = f"regexp_full_match({trimmed}, {_sql_str(WHOLE_NUMBER_PATTERN)})"
        return f"CASE WHEN {whole} THEN TRY_CAST(regexp_extract({trimmed}, '^[+-]?[0-9]+') AS BIGINT) END"
    if column.kind == "decimal":
        number = f"regexp_full_match({trimmed}, {_sql_str(DECIMAL_PATTERN)})"
        return f"CASE WHEN {number} THEN TRY_CAST(replace({trimmed}, ',', '.') AS DOUBLE) END"
    if column.kind == "gemeente":
        return f"ksm_gemeente_code({src})"
    return None


# the first line of a record id that occurs more than once (`_prepared`)
FIRST_LINE_OF_ID = "_first_line_of_id"


def _prepared(spec: SourceSpec, relation: str) -> str:
    """`relation` with the prepared values of its columns added (`prepared_sql`) and, for a
    source with a record id, the first line of every id that occurs more than once (a hash
    aggregate: a window over every id cost four times as much)."""
    items = [f"{sql} AS {_ident(_prepared_name(c))}" for c in spec.columns if (sql := prepared_sql(c)) is not None]
    duplicates = ""
    if spec.record_id:
        rid = _ident(spec.record_id)
        items.append(f"d.first_line AS {FIRST_LINE_OF_ID}")
        duplicates = (f" LEFT JOIN (SELECT trim({rid}) AS id, min(_line) AS first_line FROM {relation} "
                      f"WHERE NULLIF(trim({rid}), '') IS NOT NULL GROUP BY ALL HAVING count(*) > 1) AS d "
                      f"ON d.id = trim(e.{rid})")
    return f"(SELECT e.*, {', '.join(items)} FROM {relation} AS e{duplicates})" if items else relation


def _header_columns(spec: SourceSpec, parsed: ParsedExtract) -> tuple[dict[str, int], list[str]]:
    """Where each column is in the header (by lower-case title), and the notes on the header;
    a missing required column rejects the file."""
    position = {name.lower(): i for i, name in enumerate(parsed.header)}
    missing = [c.name for c in spec.columns if c.name.lower() not in position and c.required]
    if missing:
        found = ", ".join(parsed.header)
        hint = " (one column only: is the delimiter one of ; , tab |?)" if len(parsed.header) == 1 else ""
        raise ExtractRejected(
            f"{named(parsed.path)}, line 1 (header): missing column(s) {', '.join(missing)}; "
            f"found {shown(found) if found else 'nothing'}{hint}"
        )
    notes = []
    absent_optional = [c.name for c in spec.columns if c.name.lower() not in position]
    if absent_optional:
        notes.append("optional column(s) absent: " + ", ".join(absent_optional))
    extra = [h for h in parsed.header if h.lower() not in {c.name.lower() for c in spec.columns}]
    if extra:
        notes.append("extra column(s) ignored: " + ", ".join(shown(h, 40) for h in extra))
    return position, notes


def _no_rows(parsed: ParsedExtract) -> ExtractRejected:
    return ExtractRejected(f"{named(parsed.path)}: a header line but no data rows; "
                           "an empty delivery would wipe the year's records")


def _ragged(line: int, fields: list[str], width: int) -> dict:
    return {"line": line, "reason": f"row has {len(fields)} fields, the header has {width}", "fields": fields}


def _frame(spec: SourceSpec, parsed: ParsedExtract, position: dict[str, int]) -> tuple[pd.DataFrame, list[dict]]:
    """The parsed rows as a frame of the spec's columns; rows with the wrong number of fields apart."""
    if not parsed.rows:
        raise _no_rows(parsed)
    width = len(parsed.header)
    ragged: list[dict] = []
    rows: list[list[str]] = []
    lines: list[int] = []
    for row, line in zip(parsed.rows, parsed.line_numbers):
        if len(row) != width:
            ragged.append(_ragged(line, row, width))
        else:
            rows.append(row)
            lines.append(line)
    # column by column, one transpose in C instead of a Python loop over rows x columns: the
    # cheaper way while the garbage collector is paused, as the ingest does (gc_paused)
    fields = list(zip(*rows)) if rows else [()] * width
    data = {"_line": pd.Series(lines, dtype="int64")}
    for c in spec.columns:
        i = position.get(c.name.lower())
        data[c.name] = pd.Series(fields[i] if i is not None else [None] * len(rows), dtype="object")
    return pd.DataFrame(data), ragged


def _split_plain(con: duckdb.DuckDBPyConnection, spec: SourceSpec, parsed: ParsedExtract,
                 position: dict[str, int]) -> tuple[int, list[dict]]:
    """A plain extract's lines split into rows and fields in DuckDB (`_plain`: line number and
    fields, blank lines left out as the csv reader skips them), its well-formed rows as the table
    `_extract`. The rows read and the rows with the wrong number of fields."""
    con.execute(
        "CREATE OR REPLACE TEMP TABLE _plain AS SELECT CAST(n + 1 AS BIGINT) AS _line, "
        "string_split(CASE WHEN suffix(t, chr(13)) THEN t[:-2] ELSE t END, $delimiter) AS fields "
        "FROM (SELECT unnest(l) AS t, generate_subscripts(l, 1) AS n FROM (SELECT string_split($data, chr(10)) AS l))",
        {"delimiter": parsed.delimiter, "data": parsed.plain})
    # a line without a delimiter is blank when only white space (Python's, as csv's reader skips it)
    blank = [line for line, (text,) in con.execute(
        "SELECT _line, fields FROM _plain WHERE len(fields) = 1").fetchall() if not text.strip()]
    if blank:
        con.execute("DELETE FROM _plain WHERE _line IN (SELECT unnest($lines))", {"lines": blank})
    (rows_read,) = con.execute("SELECT count(*) FROM _plain").fetchone()
    if not rows_read:
        raise _no_rows(parsed)
    width = len(parsed.header)
    ragged = [_ragged(line, fields, width) for line, fields in con.execute(
        "SELECT _line, fields FROM _plain WHERE len(fields) <> $width ORDER BY _line", {"width": width}).fetchall()]
    columns = ", ".join(
        (f"fields[{position[c.name.lower()] + 1}]" if c.name.lower() in position else "CAST(NULL AS VARCHAR)")
        + f" AS {_ident(c.name)}" for c in spec.columns)
    con.execute(f"CREATE OR REPLACE TEMP TABLE _extract AS SELECT _line, {columns} FROM _plain WHERE len(fields) = {width}")
    return rows_read, ragged


def _forget_extract(con: duckdb.DuckDBPyConnection) -> None:
    """Drop `_extract`, the parsed rows' frame (a registered view) or the plain rows' table."""
    con.unregister("_extract")
    con.execute("DROP TABLE IF EXISTS _extract")


def _delivered_fields(con: duckdb.DuckDBPyConnection, parsed: ParsedExtract, lines: list[int]) -> dict[int, list[str]]:
    """The fields as delivered of the rows on `lines` (for the quarantine file)."""
    if parsed.plain is None:
        wanted = set(lines)
        return {line: row for line, row in zip(parsed.line_numbers, parsed.rows) if line in wanted}
    return dict(con.execute("SELECT _line, fields FROM _plain WHERE _line IN (SELECT unnest($lines))",
                            {"lines": lines}).fetchall())


def load_extract(con: duckdb.DuckDBPyConnection, spec: SourceSpec, year: int, parsed: ParsedExtract,
                 quarantine_dir: Path, key: str | None = None) -> LoadResult:
    """Validate `parsed` and replace the year's slice of raw.<source> with its good rows;
    `key` (reuse.load_key) is logged so that an unchanged extract need not be loaded again."""
    position, header_notes = _header_columns(spec, parsed)
    notes = parsed.notes + header_notes
    con.execute(GEMEENTE_CODE_MACRO)
    _forget_extract(con)  # a load that failed before on this connection may have left it
    if parsed.plain is None:
        frame, ragged = _frame(spec, parsed, position)
        rows_read = len(parsed.rows)
        con.register("_extract", frame)
    else:
        rows_read, ragged = _split_plain(con, spec, parsed, position)

    selects = ["_line"]
    reasons: list[str] = []
    for column in spec.columns:
        exprs, col_reasons = column_sql(column, year, spec.record_level)
        selects += exprs
        reasons += col_reasons
    if spec.year_column:
        ycol = _ident(spec.year_column)
        reasons.append(
            f"CASE WHEN TRY_CAST(NULLIF(trim({ycol}), '') AS INTEGER) <> {year} "
            f"THEN {_sql_str(f'column {spec.year_column}: ')} || {_shown(ycol)} "
            f"|| {_sql_str(f' differs from the folder year {year}')} END"
        )
    if spec.record_id:
        rid = _ident(spec.record_id)
        reasons.append(
            f"CASE WHEN _line > {FIRST_LINE_OF_ID} "
            f"THEN {_sql_str(f'column {spec.record_id}: duplicate record ')} || {_shown(rid)} END"
        )
    reason_list = "list_filter([" + ", ".join(reasons) + "], lambda r: r IS NOT NULL)" if reasons else "[]"
    con.execute(
        f"CREATE OR REPLACE TEMP TABLE _validated AS "
        f"SELECT {', '.join(selects)}, {reason_list} AS _reasons FROM {_prepared(spec, '_extract')}"
    )
    _forget_extract(con)

    accepted, unknown = con.execute(
        "SELECT count(*), "
        + (
            f"count(*) FILTER (WHERE {_ident(_main_gemeente(spec) + '_status')} <> 'ok')"
            if _main_gemeente(spec) else "0"
        )
        + " FROM _validated WHERE len(_reasons) = 0"
    ).fetchone()
    rejected = con.execute(
        "SELECT _line, array_to_string(_reasons, '; ') FROM _validated WHERE len(_reasons) > 0 ORDER BY _line"
    ).fetchall()
    notes += _outdated_code_notes(con, spec, year)
    fields = _delivered_fields(con, parsed, [line for line, _ in rejected]) if rejected else {}
    entries = [(line, reason, fields[line]) for line, reason in rejected]
    entries += [(r["line"], r["reason"], r["fields"]) for r in ragged]
    if parsed.plain is not None:
        con.execute("DROP TABLE _plain")
    quarantine_file = _write_quarantine(parsed, entries, quarantine_dir)
    if accepted == 0:
        # nothing usable: keep the year's previous slice rather than replacing it with nothing
        con.execute("DROP TABLE _validated")
        first = min([(line, reason) for line, reason in rejected]
                    + [(r["line"], r["reason"]) for r in ragged])
        raise ExtractRejected(
            f"{named(parsed.path)}: none of the {rows_read} data rows can be used, e.g. line {first[0]}: "
            f"{escaped(first[1])}; every row with its reason: {named(quarantine_file)}"
        )

    table = f"raw.{spec.name}"
    typed = [s for s in con.execute("SELECT * FROM _validated LIMIT 0").fetch_df().columns
             if s not in ("_line", "_reasons")]
    typed_sql = ", ".join(_ident(c) for c in typed)
    con.execute("CREATE SCHEMA IF NOT EXISTS raw")
    con.execute(
        f"CREATE TABLE IF NOT EXISTS {table} AS SELECT "
        f"CAST(NULL AS INTEGER) AS year, CAST(NULL AS VARCHAR) AS source_file, "
        f"CAST(NULL AS INTEGER) AS source_row, {typed_sql} FROM _validated LIMIT 0"
    )
    result = LoadResult(spec.name, year, parsed.path, parsed.sha256, rows_read, int(accepted),
                        len(rejected) + len(ragged), int(unknown), quarantine_file, notes, key)
    assert result.rows_accepted + result.rows_quarantined == rows_read, "every row is loaded or quarantined"
    con.execute("BEGIN TRANSACTION")
    try:
        con.execute(f"DELETE FROM {table} WHERE year = ?", [year])
        con.execute(
            f"INSERT INTO {table} BY NAME SELECT {year} AS year, ? AS source_file, "
            f"CAST(_line AS INTEGER) AS source_row, {typed_sql} FROM _validated "
            f"WHERE len(_reasons) = 0 ORDER BY _line",
            [parsed.path.name],
        )
        record_ingest(con, result)  # with the slice: a log row always describes the slice beside it
        pause_point("ingest")  # tests kill the process here, inside the open transaction
        con.execute("COMMIT")
    except Exception:
        con.execute("ROLLBACK")
        raise
    con.execute("DROP TABLE _validated")
    return result


def _main_gemeente(spec: SourceSpec) -> str | None:
    return next((c.name for c in spec.columns if c.kind == "gemeente"), None)


def _outdated_code_notes(con: duckdb.DuckDBPyConnection, spec: SourceSpec, year: int) -> list[str]:
    """Say loudly when accepted rows carry codes of gemeenten that had merged away before the year
    (the extract wins: such rows count for Nederland only, as any unknown code)."""
    column = _main_gemeente(spec)
    if column is None or not spec.record_level:
        return []
    found = con.execute(
        f"SELECT count(*), list(DISTINCT {_ident(column)} ORDER BY {_ident(column)}) FROM _validated "
        f"WHERE len(_reasons) = 0 AND {_ident(column + '_status')} = 'unknown' AND {_ident(column)} IN "
        f"(SELECT gemeente_code FROM raw.regions WHERE classification_year < ?)", [year]
    ).fetchone()
    if not found[0]:
        return []
    codes = ", ".join(found[1][:5]) + (", ..." if len(found[1]) > 5 else "")
    return [f"{found[0]} row(s) with a code of a gemeente that no longer existed in {year} ({codes}): "
            "counted for Nederland only"]


def text_problem(value: str) -> str | None:
    """Why a text value breaks the field rules of `column_sql` (control character, length,
    formula), in Python for the reference data, which is read row by row: one rule, two engines."""
    if re.search(CONTROL_CHAR_PATTERN, value):
        return f"{shown(value, 40)} holds a control character (NUL, escape, line end, ...)"
    value = value.strip(" ")
    if len(value) > TEXT_MAX_LENGTH:
        return f"value of {len(value)} characters, longer than {TEXT_MAX_LENGTH}"
    if looks_like_formula(value):
        return f"{shown(value, 40)} looks like a spreadsheet formula"
    return None


def neutralise_formula(value: str) -> str:
    """A quarantined value as text a spreadsheet will not run (the original stays in the inbox)."""
    return "'" + value if looks_like_formula(value) else value


def looks_like_formula(value: str) -> bool:
    """The ingest's formula rule (the SQL in `column_sql`), in Python."""
    return bool(re.match(FORMULA_START_PATTERN, value)) and not re.fullmatch(DECIMAL_PATTERN, value.strip(" "))


def _write_quarantine(parsed: ParsedExtract, entries: list[tuple[int, str, list[str]]],
                      quarantine_dir: Path) -> Path | None:
    """Rejected rows (line, reason, fields as delivered) with line number and reason, next to
    their original fields."""
    quarantine_dir.mkdir(parents=True, exist_ok=True)
    for stale in quarantine_files(quarantine_dir):
        stale.unlink()
    if not entries:
        return None
    entries.sort(key=lambda e: e[0])
    target = quarantine_file_of(quarantine_dir, parsed.path)
    tmp = target.with_suffix(".tmp")
    with tmp.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle, delimiter=";")
        writer.writerow(["source_file", "line", "reason", *parsed.header])
        for line, reason, fields in entries:
            writer.writerow([parsed.path.name, line, reason, *(neutralise_formula(f) for f in fields)])
    tmp.replace(target)
    return target


def quarantine_files(quarantine_dir: Path) -> list[Path]:
    """The quarantine files in a source's and year's folder of quarantine/ (a load leaves one at
    most: `quarantine_file_of` its extract)."""
    return sorted(quarantine_dir.glob("*.rejected.csv"))


def quarantine_file_of(quarantine_dir: Path, extract: Path) -> Path:
    """Where the rejected rows of `extract` go."""
    return quarantine_dir / f"{extract.stem}.rejected.csv"


def slice_digest(con: duckdb.DuckDBPyConnection, source: str, year: int) -> str:
    """The year's slice of raw.<source> in one value: its rows and the sum of their hashes."""
    rows, hashes = con.execute(f"SELECT count(*), sum(hash(t)) FROM raw.{_ident(source)} AS t WHERE year = ?",
                               [year]).fetchone()
    return f"{rows}:{hashes}"


def record_ingest(con: duckdb.DuckDBPyConnection, result: LoadResult) -> None:
    """The load's row of raw.ingest_log; with a load key, also what `last_load` compares: the
    digest of the slice and of the quarantine file it wrote."""
    con.execute(INGEST_LOG_DDL)
    con.execute("DELETE FROM raw.ingest_log WHERE source = ? AND year = ?", [result.source, result.year])
    digest = slice_digest(con, result.source, result.year) if result.load_key else None
    quarantined = file_sha256(result.quarantine_file) if result.load_key and result.quarantine_file else None
    con.execute(
        "INSERT INTO raw.ingest_log (source, year, file_name, sha256, rows_read, rows_accepted, rows_quarantined, "
        "unknown_gemeente, notes, loaded_at, load_key, slice_digest, quarantine_sha256) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [result.source, result.year, result.file.name, result.sha256, result.rows_read,
         result.rows_accepted, result.rows_quarantined, result.unknown_gemeente,
         "; ".join(result.notes), dt.datetime.now(), result.load_key, digest, quarantined],
    )


@dataclass
class LoggedLoad:
    """The last load of a source's year as raw.ingest_log has it (`last_load`)."""

    result: LoadResult
    slice_digest: str | None
    quarantine_sha256: str | None


def last_load(con: duckdb.DuckDBPyConnection, source: str, year: int, extract: Path,
              quarantine_dir: Path) -> LoggedLoad | None:
    """The last load of `extract` into the year's slice, if it was logged with a load key."""
    con.execute(INGEST_LOG_DDL)  # a warehouse of an earlier version gains the columns
    row = con.execute(
        "SELECT sha256, rows_read, rows_accepted, rows_quarantined, unknown_gemeente, notes, loaded_at, load_key, "
        "slice_digest, quarantine_sha256 FROM raw.ingest_log "
        "WHERE source = ? AND year = ? AND file_name = ? AND load_key IS NOT NULL",
        [source, year, extract.name]).fetchone()
    if row is None:
        return None
    sha256, rows_read, accepted, quarantined, unknown, notes, loaded_at, key, digest, quarantine_sha256 = row
    result = LoadResult(
        source=source, year=year, file=extract, sha256=sha256, rows_read=rows_read, rows_accepted=accepted,
        rows_quarantined=quarantined, unknown_gemeente=unknown,
        quarantine_file=quarantine_file_of(quarantine_dir, extract) if quarantined else None,
        notes=[notes] if notes else [], load_key=key, reused_from=loaded_at)
    return LoggedLoad(result, digest, quarantine_sha256)
