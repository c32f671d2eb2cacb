"""`ksm export`: a released year's tables as files: Parquet, CSV (international or the Dutch
convention) and Excel.

The Dutch CSV is what Dutch Excel and StatLine users open with a double click: semicolons,
decimal commas, UTF-8 with a byte-order mark. The `.xlsx` keeps numbers as numbers (Excel shows
them in the reader's own convention); intervals, counts and withheld cells stay as in the table.
"""

from __future__ import annotations

import contextlib
import csv
import datetime as dt
import json
from collections.abc import Callable, Iterable
from pathlib import Path

import duckdb

from orchestration.assets.release.publish import sql_path
from orchestration.published import released_queries

FORMATS = ("parquet", "csv", "xlsx")
DIALECTS = ("standard", "nl")
XLSX_MAX_ROWS = 1_048_575  # Excel's sheet limit, less the header


class ExportError(Exception):
    """An export that cannot be made, with the reason in one line."""


def parse_formats(text: str) -> list[str]:
    formats = [f.strip() for f in text.split(",") if f.strip()]
    unknown = sorted(set(formats) - set(FORMATS))
    if unknown or not formats:
        raise ExportError(f"unknown export format(s): {', '.join(unknown) or repr(text)} (use {','.join(FORMATS)})")
    return formats


def _dutch(value) -> object:
    """One cell in the Dutch convention: decimal comma, ISO dates, JSON as text."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return repr(value).replace(".", ",")
    if isinstance(value, (dt.datetime, dt.date)):
        return value.isoformat()
    if isinstance(value, (list, dict)):
        return json.dumps(value, ensure_ascii=False)
    return value


def write_dutch_csv(target: Path, columns: list[str], rows: Iterable[tuple]) -> None:
    with target.open("w", encoding="utf-8-sig", newline="") as handle:
        writer = csv.writer(handle, delimiter=";", lineterminator="\r\n")
        writer.writerow(columns)
        writer.writerows([_dutch(v) for v in row] for row in rows)


def _excel(value) -> object:
    if isinstance(value, dt.datetime):
        return value.astimezone(dt.timezone.utc).replace(tzinfo=None) if value.tzinfo else value
    if isinstance(value, (list, dict)):
        return json.dumps(value, ensure_ascii=False)
    return value


def write_xlsx(target: Path, sheet: str, columns: list[str], rows: list[tuple]) -> None:
    import xlsxwriter

    if len(rows) > XLSX_MAX_ROWS:
        raise ExportError(f"{target.name}: {len(rows):,} rows do not fit in one Excel sheet; use parquet or csv")
    workbook = xlsxwriter.Workbook(str(target), {"constant_memory": True, "strings_to_numbers": False,
                                                 "strings_to_formulas": False, "strings_to_urls": False,
                                                 "default_date_format": "yyyy-mm-dd hh:mm:ss"})
    try:
        bold = workbook.add_format({"bold": True})
        ws = workbook.add_worksheet(sheet[:31])
        ws.write_row(0, 0, columns, bold)
        ws.freeze_panes(1, 0)
        for number, row in enumerate(rows, start=1):
            ws.write_row(number, 0, [_excel(v) for v in row])
    finally:
        workbook.close()


def export_year(published: Path, year: int, out: Path, formats: list[str], dialect: str = "standard",
                progress: Callable[[str], None] = print) -> list[Path]:
    """Write every released table of the year in each format into out; returns the files."""
    if dialect not in DIALECTS:
        raise ExportError(f"unknown dialect {dialect!r} (use {' or '.join(DIALECTS)})")
    if not published.exists():
        raise ExportError(f"nothing published yet ({published})")
    written = []
    # COPY needs file access, which the analysts' locked connection has not: a plain read-only one
    with contextlib.closing(duckdb.connect(str(published), read_only=True)) as con:
        if not con.execute("SELECT count(*) FROM releases WHERE year = ?", [year]).fetchone()[0]:
            raise ExportError(f"{year} has no release; see `ksm status`")
        try:
            out.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise ExportError(f"cannot write to {out}: {exc.strerror or exc}") from exc
        for name, sql in released_queries(year).items():
            for fmt in formats:
                target = out / f"{name}_{year}.{fmt}"
                try:
                    if fmt == "parquet" or (fmt == "csv" and dialect == "standard"):
                        option = "(FORMAT parquet)" if fmt == "parquet" else "(FORMAT csv, HEADER)"
                        con.execute(f"COPY ({sql}) TO {sql_path(target)} {option}")
                    else:
                        cursor = con.execute(sql)
                        columns = [d[0] for d in cursor.description]
                        rows = cursor.fetchall()
                        if fmt == "csv":
                            write_dutch_csv(target, columns, rows)
                        else:
                            write_xlsx(target, name, columns, rows)
                except duckdb.Error as exc:
                    raise ExportError(f"export to {target} failed: {str(exc).splitlines()[0]}") from exc
                except OSError as exc:
                    raise ExportError(f"export to {target} failed: {exc.strerror or exc}") from exc
                progress(f"wrote {target}")
                written.append(target)
    return written
