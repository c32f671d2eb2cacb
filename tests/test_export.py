"""`ksm export --dialect nl` and `--format xlsx` on the released tiny year."""

from __future__ import annotations

import contextlib
import csv
import io
import zipfile
from xml.etree import ElementTree

import duckdb
import pytest

from orchestration.published import REFERENCE_TABLES
from orchestration.cli import main
from tiny_inbox import YEAR


@pytest.fixture(scope="module")
def exported(released, tmp_path_factory):
    from orchestration.export import export_year

    out = tmp_path_factory.mktemp("export")
    lines = []
    export_year(released[0].published, YEAR, out, ["csv", "xlsx"], dialect="nl", progress=lines.append)
    return released[0], out, lines


def test_every_released_table_is_exported_in_each_format(exported):
    _, out, lines = exported
    names = ["indicator_values", *REFERENCE_TABLES, "releases"]
    assert sorted(p.name for p in out.iterdir()) == sorted(f"{n}_{YEAR}.{f}" for n in names for f in ("csv", "xlsx"))
    assert len(lines) == 2 * len(names) and all(line.startswith("wrote ") for line in lines)


def test_dutch_csv_has_a_bom_semicolons_and_decimal_commas(exported):
    paths, out, _ = exported
    raw = (out / f"indicator_values_{YEAR}.csv").read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf") and b"\r\n" in raw
    rows = list(csv.DictReader(io.StringIO(raw.decode("utf-8-sig")), delimiter=";"))
    with contextlib.closing(duckdb.connect(str(paths.published), read_only=True)) as con:
        expected = con.execute(f"SELECT count(*) FROM indicator_values WHERE year_to = {YEAR}").fetchone()[0]
        value = con.execute("SELECT value FROM indicator_values WHERE indicator_code = 'big2' AND region_code = 'GM0363' "
                            f"AND breakdown = 'total' AND period = '{YEAR}' AND classification_year = 2024").fetchone()[0]
    assert len(rows) == expected
    [amsterdam] = [r for r in rows if r["indicator_code"] == "big2" and r["region_code"] == "GM0363"
                   and r["breakdown"] == "total" and r["period"] == str(YEAR) and r["classification_year"] == "2024"]
    assert amsterdam["value"] == repr(value).replace(".", ",") and "," in amsterdam["value"]
    assert float(amsterdam["ci95_lower"].replace(",", ".")) < value
    withheld = [r for r in rows if r["suppressed"] == "true"]
    assert withheld and all(r["value"] == "" for r in withheld)


def test_xlsx_holds_the_table_with_numbers_as_numbers(exported):
    paths, out, _ = exported
    with zipfile.ZipFile(out / f"indicators_{YEAR}.xlsx") as book:
        sheet = ElementTree.fromstring(book.read("xl/worksheets/sheet1.xml"))
        workbook = book.read("xl/workbook.xml").decode()
    ns = {"x": "http://schemas.openxmlformats.org/spreadsheetml/2006/main"}
    rows = sheet.findall(".//x:sheetData/x:row", ns)
    with contextlib.closing(duckdb.connect(str(paths.published), read_only=True)) as con:
        count = con.execute("SELECT count(*) FROM indicators").fetchone()[0]
    assert len(rows) == count + 1 and 'name="indicators"' in workbook
    # the multiplier column (100 or 1000) is stored as a number, not as text
    numbers = [c for r in rows[1:] for c in r.findall("x:c", ns) if c.get("t") is None and c.find("x:v", ns) is not None]
    assert {c.find("x:v", ns).text for c in numbers} >= {"100", "1000"}


def test_export_cli_dialect_and_errors(copy_home, capsys, tmp_path):
    code = main(["export", "--year", str(YEAR), "--format", "csv", "--dialect", "nl", "--out", str(tmp_path / "nl")])
    out, _ = capsys.readouterr()
    assert code == 0 and f"indicators_{YEAR}.csv" in out
    assert (tmp_path / "nl" / f"indicators_{YEAR}.csv").read_bytes().startswith(b"\xef\xbb\xbfindicator_code;")
    code = main(["export", "--year", str(YEAR), "--format", "csv,ods", "--out", str(tmp_path / "x")])
    _, err = capsys.readouterr()
    assert code == 2 and "unknown export format(s): ods" in err and len(err.strip().splitlines()) == 1
