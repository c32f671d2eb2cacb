"""Ingest of single extracts: decoding, validation, quarantine, and clear errors for bad files."""

from __future__ import annotations

import csv
import hashlib
from pathlib import Path

import duckdb
import pytest

from orchestration.assets.ingest.extract_files import ExtractRejected, find_extract, parse_extract
from orchestration.assets.ingest.load import load_extract
from orchestration.assets.ingest.regions import load_regions
from orchestration.sources import PERINED
from tiny_inbox import write_regions

HEADER = PERINED.column_names


def perined_row(kid="K1", code="363", amww="39", hoftiezer="50,0", sterfte="0", year="2020"):
    return [kid, "M1", year, code, "", amww, hoftiezer, "60", sterfte, "1", "1", "30", "0"]


def write_csv(path: Path, rows, header=HEADER, delimiter=";", encoding="utf-8", newline="\n") -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding=encoding, newline="") as handle:
        writer = csv.writer(handle, delimiter=delimiter, lineterminator=newline)
        writer.writerow(header)
        writer.writerows(rows)
    return path


@pytest.fixture(scope="module")
def regions_db(tmp_path_factory):
    """A warehouse with the 2020-2021 classifications loaded, copied per test."""
    base = tmp_path_factory.mktemp("regions")
    write_regions(base / "inbox", years=[2020, 2021])
    db = base / "regions.duckdb"
    with duckdb.connect(str(db)) as con:
        load_regions(con, base / "inbox" / "regions")
    return db


@pytest.fixture
def con(regions_db, tmp_path):
    target = tmp_path / "warehouse.duckdb"
    target.write_bytes(regions_db.read_bytes())
    connection = duckdb.connect(str(target))
    yield connection
    connection.close()


def ingest(con, path: Path, tmp_path: Path):
    digest = hashlib.sha256(path.read_bytes()).hexdigest()
    result = load_extract(con, PERINED, 2020, parse_extract(path, HEADER), tmp_path / "quarantine")
    assert hashlib.sha256(path.read_bytes()).hexdigest() == digest, "the inbox file must never change"
    assert result.rows_accepted + result.rows_quarantined == result.rows_read
    return result


def test_good_rows_are_typed_and_codes_normalised(con, tmp_path):
    path = write_csv(tmp_path / "p.csv", [perined_row("K1", "363"), perined_row("K2", "0014"),
                                          perined_row("K3", "GM0457", hoftiezer="")])
    result = ingest(con, path, tmp_path)
    assert (result.rows_read, result.rows_accepted, result.rows_quarantined) == (3, 3, 0)
    rows = con.execute("SELECT kind_id, gemeente_code, gemeente_code_status, hoftiezer, amww FROM raw.perined "
                       "ORDER BY kind_id").fetchall()
    assert rows == [("K1", "GM0363", "ok", 50.0, 39), ("K2", "GM0014", "ok", 50.0, 39),
                    ("K3", "GM0457", "ok", None, 39)]


def test_bad_rows_go_to_quarantine_with_line_column_and_reason(con, tmp_path):
    path = write_csv(tmp_path / "p.csv", [
        perined_row("K1"),
        perined_row("K2", amww="99"),
        perined_row("K3", hoftiezer="abc"),
        perined_row("K1"),  # duplicate id
        perined_row("K5", year="2019"),
        perined_row("K6", sterfte="=HYPERLINK(\"http://x\")"),
    ])
    result = ingest(con, path, tmp_path)
    assert (result.rows_accepted, result.rows_quarantined) == (1, 5)
    with result.quarantine_file.open(encoding="utf-8") as handle:
        rejected = {int(r["line"]): r["reason"] for r in csv.DictReader(handle, delimiter=";")}
    assert "column amww: value '99' outside 22-45" in rejected[3]
    assert "column hoftiezer: 'abc' is not a number" in rejected[4]
    assert "column kind_id: duplicate record 'K1'" in rejected[5]
    assert "column geboortejaar: '2019' differs from the folder year 2020" in rejected[6]
    assert "column sterfte" in rejected[7]


def test_unknown_and_invalid_gemeente_codes_are_kept_for_nederland(con, tmp_path):
    path = write_csv(tmp_path / "p.csv", [perined_row("K1", "GM9999"), perined_row("K2", "GM03X3"),
                                          perined_row("K3", "")])
    result = ingest(con, path, tmp_path)
    assert result.rows_accepted == 3 and result.unknown_gemeente == 3
    statuses = dict(con.execute("SELECT kind_id, gemeente_code_status FROM raw.perined").fetchall())
    assert statuses == {"K1": "unknown", "K2": "invalid", "K3": "missing"}


def test_reingest_replaces_only_that_year(con, tmp_path):
    path = write_csv(tmp_path / "p.csv", [perined_row("K1"), perined_row("K2")])
    ingest(con, path, tmp_path)
    write_csv(path, [perined_row("K9")])
    ingest(con, path, tmp_path)
    assert con.execute("SELECT list(kind_id) FROM raw.perined").fetchone()[0] == ["K9"]


@pytest.mark.parametrize("encoding,delimiter,newline", [
    ("utf-8-sig", ";", "\r\n"),
    ("cp1252", ";", "\n"),
    ("utf-8", ",", "\n"),
    ("utf-8", "\t", "\r\n"),
])
def test_encodings_delimiters_and_line_ends_are_accepted(con, tmp_path, encoding, delimiter, newline):
    rows = [perined_row("K1"), perined_row("Kë2")]
    path = write_csv(tmp_path / "p.csv", rows, delimiter=delimiter, encoding=encoding, newline=newline)
    result = ingest(con, path, tmp_path)
    assert result.rows_accepted == 2
    assert sorted(con.execute("SELECT list(kind_id) FROM raw.perined").fetchone()[0]) == ["K1", "Kë2"]


def test_ragged_rows_are_quarantined(con, tmp_path):
    path = tmp_path / "p.csv"
    path.write_text(";".join(HEADER) + "\n" + ";".join(perined_row("K1")) + "\n" + "K2;M2;2020;363\n",
                    encoding="utf-8")
    result = ingest(con, path, tmp_path)
    assert (result.rows_accepted, result.rows_quarantined) == (1, 1)
    assert "row has 4 fields, the header has 13" in result.quarantine_file.read_text(encoding="utf-8")


@pytest.mark.parametrize("content,message", [
    (b"", "the file is empty"),
    (b"\x00\x01\x02binary", "binary content"),
    ("kind_id;moeder_id\nK1;M1\n".encode(), "missing column(s) geboortejaar"),
])
def test_unusable_files_are_rejected_with_the_file_named(tmp_path, content, message):
    path = tmp_path / "bad.csv"
    path.write_bytes(content)
    with pytest.raises(ExtractRejected) as info:
        parsed = parse_extract(path, HEADER)
        load_extract(duckdb.connect(), PERINED, 2020, parsed, tmp_path / "q")
    assert message in str(info.value) and "bad.csv" in str(info.value)


def test_two_files_for_one_source_and_year_are_refused(tmp_path):
    folder = tmp_path / "perined" / "2020"
    write_csv(folder / "a.csv", [perined_row()])
    write_csv(folder / "b.csv", [perined_row()])
    with pytest.raises(ExtractRejected, match="2 files for perined 2020"):
        find_extract(folder, "perined", 2020)
    with pytest.raises(ExtractRejected, match="does not exist"):
        find_extract(tmp_path / "perined" / "2021", "perined", 2021)


def test_regions_columns_are_found_by_title_in_any_order(tmp_path):
    write_regions(tmp_path / "inbox", years=[2023, 2024])
    # move the GGD columns to the front in 2024, as CBS does between years
    path = tmp_path / "inbox" / "regions" / "2024" / "gebieden_in_nederland_2024.csv"
    with path.open(encoding="utf-8") as handle:
        rows = list(csv.reader(handle, delimiter=";"))
    order = [2, 3, 0, 1, 4, 5]
    write_csv(path, [[r[i] for i in order] for r in rows[1:]], header=[rows[0][i] for i in order])
    with duckdb.connect() as con:
        loaded = load_regions(con, tmp_path / "inbox" / "regions")
        assert loaded.gemeenten_per_year == {2023: 342, 2024: 342}
        assert con.execute("SELECT ggd_code FROM raw.regions WHERE classification_year = 2024 "
                           "AND gemeente_code = 'GM0363'").fetchone() == ("GG3406",)


def _plain_text(rows: list[str], header: str = ";".join(HEADER)) -> str:
    return "\n".join([header, *rows])


GOOD = ";".join(perined_row())
# files that need no CSV parser, each with something the csv reader treats in its own way
PLAIN_VARIANTS = {
    "lf": _plain_text([GOOD, ";".join(perined_row("K2"))]) + "\n",
    "crlf, no final line end": _plain_text([GOOD, ";".join(perined_row("K2"))]).replace("\n", "\r\n"),
    "blank lines": _plain_text(["", GOOD, "   ", "\t", "\u00a0", ";".join(perined_row("K2")), "\r"]) + "\n\n\n",
    "ragged and single-field rows": _plain_text([GOOD, "K3;M3", GOOD + ";extra", "just-one-field", ";;;"]),
    "bad values and duplicates": _plain_text([GOOD, GOOD, ";".join(perined_row("K4", code="GM99x", amww="1.000")),
                                              ";".join(perined_row("K5", hoftiezer="=1+2", year="2019")),
                                              ";".join(perined_row("K6\x01", sterfte="7"))]),
    "tab delimiter, optional column absent, extra column": "\n".join(
        ["\t".join([h for h in HEADER if h != "gemeente_code_actueel"] + ["extra"]),
         "\t".join([v for i, v in enumerate(perined_row()) if HEADER[i] != "gemeente_code_actueel"] + ["x"])]),
    "only blank lines after the header": _plain_text(["", "  "]) + "\n",  # left to the csv reader
    "nothing usable": _plain_text([";".join(perined_row(year="2019")), "K9;M9"]),
}


@pytest.mark.parametrize("variant", sorted(PLAIN_VARIANTS))
@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "cp1252"])
def test_plain_files_split_in_duckdb_load_exactly_as_the_csv_reader_reads_them(con, tmp_path, variant, encoding):
    """A file without quoting is split into rows and fields in DuckDB, not by Python's csv
    reader: the same raw rows, quarantine file, counts, notes and errors either way."""
    path = tmp_path / "inbox" / "perined_2020.csv"
    path.parent.mkdir()
    path.write_bytes(PLAIN_VARIANTS[variant].encode(encoding))

    def load(allow_plain: bool):
        parsed = parse_extract(path, HEADER, allow_plain=allow_plain)
        assert (parsed.plain is not None) == (allow_plain and variant != "only blank lines after the header")
        quarantine = tmp_path / f"quarantine-{allow_plain}"
        try:
            result = load_extract(con, PERINED, 2020, parsed, quarantine)
        except ExtractRejected as exc:
            return str(exc).replace(str(quarantine), "Q"), None, None
        raw = con.execute("SELECT * EXCLUDE (year) FROM raw.perined ORDER BY source_row").fetchall()
        written = result.quarantine_file.read_text(encoding="utf-8") if result.quarantine_file else None
        return {**result.metadata(), "quarantine_file": ""}, raw, written

    assert load(True) == load(False)


def test_a_load_after_a_failed_one_on_the_same_connection_starts_clean(con, tmp_path):
    """Whatever a load that stopped half-way left on the connection (the plain rows' table, the
    parsed rows' registered frame) does not stop the next load of either kind."""
    import pandas as pd

    path = tmp_path / "inbox" / "perined_2020.csv"
    path.parent.mkdir()
    path.write_text(PLAIN_VARIANTS["lf"], encoding="utf-8")
    con.register("_extract", pd.DataFrame({"x": [1]}))
    assert load_extract(con, PERINED, 2020, parse_extract(path, HEADER), tmp_path / "q").rows_accepted == 2
    con.execute("CREATE TEMP TABLE _extract AS SELECT 1 AS x")
    parsed = parse_extract(path, HEADER, allow_plain=False)
    assert load_extract(con, PERINED, 2020, parsed, tmp_path / "q").rows_accepted == 2
