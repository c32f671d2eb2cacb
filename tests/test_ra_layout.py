"""The RA input layout's reading layer: which file counts, reading real `.sav` (and CSV) files in
chunks into DuckDB `raw_ra`, person keys, clear errors, placing births by address."""

from __future__ import annotations

import hashlib
from pathlib import Path, PurePosixPath

import duckdb
import pytest

from orchestration.ra.layout import (
    DEFAULT_TABLES, LayoutError, choose_files, fixed_prefix, glob_regex, match_columns,
    parse_file_name, parse_layout, split_drive,
)
from orchestration.ra.read_sav import RaReadError, load_ra_file, load_ra_table
from tests.ra_fixtures import C, M, P1, kindoudertab, write_ra_layout, write_sav

P = PurePosixPath


# --- pure: names, versions, globs, config ---------------------------------------------------

def test_year_and_version_from_file_names():
    fv = parse_file_name("GBAPERSOON2023TABV2.sav")
    assert (fv.years, fv.version) == ((2023,), 2)
    assert parse_file_name("OPLEIDINGSNRREFV34.SAV").version == 34
    assert parse_file_name("VSLGWB2024TAB03V1.sav").years == (2024,)
    # a delivery date is no year; no version means 0
    fv = parse_file_name("Perined_levering_20240115.csv")
    assert (fv.years, fv.version) == ((), 0)
    assert parse_file_name("Perined_2017_2024V3.csv").years == (2017, 2024)


def test_per_year_the_highest_version_counts():
    files = [P("a/2023/X2023TABV1.sav"), P("a/2023/X2023TABV2.sav"), P("a/2022/X2022TABV1.sav"),
             P("a/X2023TABV10.csv"), P("a/readme.txt"), P("a/notes.sav")]
    res = choose_files("x", files, per_year=True)
    assert res.chosen == {2022: P("a/2022/X2022TABV1.sav"), 2023: P("a/X2023TABV10.csv")}
    assert set(res.superseded) == {P("a/2023/X2023TABV1.sav"), P("a/2023/X2023TABV2.sav")}
    assert res.without_year == (P("a/notes.sav"),)


def test_one_file_table_takes_the_newest_and_sav_over_csv():
    files = [P("K2022TABV3.sav"), P("K2023TABV1.sav"), P("K2023TABV1.csv")]
    assert choose_files("k", files, per_year=False).chosen == {None: P("K2023TABV1.sav")}
    with pytest.raises(LayoutError, match=r"two files with the same year and version.*K2023TABV1"):
        choose_files("k", [P("a/K2023TABV1.sav"), P("b/K2023TABV1.sav")], per_year=False)


def test_globs_split_by_drive_and_match_case_insensitively():
    roots = {"G:": "/data/g", "K:": "/data/k"}
    assert split_drive("G:/Bevolking/X/*.sav", roots) == ("/data/g", "Bevolking/X/*.sav")
    assert split_drive("g:\\Bevolking\\X\\*.sav", roots) == ("/data/g", "Bevolking/X/*.sav")
    with pytest.raises(LayoutError, match="no root for drive L:"):
        split_drive("L:/Perined/*.sav", roots)
    assert fixed_prefix("Bevolking/X/**/*.sav") == ("Bevolking/X", "**/*.sav")
    regex = glob_regex("**/*.sav")
    assert regex.fullmatch("2023/A2023V1.SAV") and regex.fullmatch("A.sav")
    assert not regex.fullmatch("A.sav.bak")
    assert glob_regex("X[!0-9]?.csv").fullmatch("xa1.csv") and not glob_regex("X[!0-9]?.csv").fullmatch("X11.csv")


def test_config_overrides_roots_and_globs():
    layout = parse_layout(
        '[roots]\n"g:" = "D:/microdata"\nP = "/project"\n'
        '[tables.perined]\nglob = "P:/levering/*.csv"\ncsv_delimiter = ","\n')
    assert layout.roots["G:"] == "D:/microdata" and layout.roots["P:"] == "/project"
    assert layout.roots["K:"] == "K:/"  # defaults stay
    assert layout.tables["perined"].globs == ("P:/levering/*.csv",)
    assert layout.tables["perined"].csv_delimiter == ","
    assert layout.tables["kindoudertab"] == DEFAULT_TABLES["kindoudertab"]
    for text, message in [
        ("[tables.nope]\nglob = 'G:/x'\n", "unknown table 'nope'"),
        ("[tables.perined]\nfolder = 'x'\n", "unknown setting 'folder'"),
        ("[tables.perined]\nglob = 'Q:/x/*.sav'\n", "no root for drive Q:"),
        ("[roots\n", "not valid TOML"),
    ]:
        with pytest.raises(LayoutError, match=message):
            parse_layout(text)


def test_columns_match_in_any_case_with_alternatives():
    spec = DEFAULT_TABLES["perined"]
    available = ["cbksoortnr_kind", "RINPERSOON_KIND", "RINPERSOONS_MOEDER", "rinpersoon_moeder",
                 "Jaar", "AMWW", "sterfte", "omv", "rangnummer", "hoftiezer", "other"]
    cols = match_columns(spec, available, "p.csv")
    assert cols["RINPERSOONS_Kind"] == "cbksoortnr_kind" and cols["jaar"] == "Jaar"
    assert "amddd1ond" not in cols and "other" not in cols.values()
    with pytest.raises(LayoutError, match=r"p\.csv: column amww of table perined not found"):
        match_columns(spec, [c for c in available if c != "AMWW"], "p.csv")
    gem = match_columns(DEFAULT_TABLES["vslgwbtab"], ["SoortObjectNummer", "RINOBJECTNUMMER", "GEM2023", "wijk2023"], "v")
    assert gem == {"SOORTOBJECTNUMMER": "SoortObjectNummer", "RINOBJECTNUMMER": "RINOBJECTNUMMER", "gem2023": "GEM2023"}


# --- real .sav files through the reader ------------------------------------------------------

@pytest.fixture()
def ra(tmp_path):
    config = write_ra_layout(tmp_path / "ra")
    layout = parse_layout(config)
    con = duckdb.connect(str(tmp_path / "w.duckdb"))
    yield layout, con, tmp_path / "ra"
    con.close()


def _digest(folder: Path) -> dict:
    return {p: (hashlib.sha256(p.read_bytes()).hexdigest(), p.stat().st_mtime_ns)
            for p in sorted(folder.rglob("*")) if p.is_file()}


def test_newest_version_counts_and_keys_stay_text(ra):
    layout, con, root = ra
    before = _digest(root)
    [loaded] = load_ra_table(con, layout, "kindoudertab", chunk_rows=4)
    assert loaded.file.name == "KINDOUDER2023TABV2.sav"
    assert loaded.columns["RINPERSOONSMa"] == "RinPersoonsMa"  # the file's own case
    assert [c[0] for c in con.execute("DESCRIBE raw_ra.kindoudertab").fetchall()] == [
        "RINPERSOONS", "RINPERSOON", "RINPERSOONSMa", "RINPERSOONMa", "RINPERSOONSpa", "RINPERSOONpa"]
    rows = con.execute("SELECT RINPERSOON, RINPERSOONMa, RINPERSOONSpa, RINPERSOONpa "
                       "FROM raw_ra.kindoudertab ORDER BY RINPERSOON").fetchall()
    assert rows[0] == (C[1], M[1], "R", P1)  # V1 had no mother for C1; leading zeros kept
    assert [r[1] for r in rows] == [M[1], M[2], None, M[4], M[5], M[6]]  # '000000000' -> NULL
    assert [r[3] for r in rows] == [P1, None, None, None, None, None]  # '', '---------', '000000000'
    assert rows[1][2] is None  # an empty RINPERSOONS is NULL too
    assert loaded.missing_keys == {"RINPERSOON": 0, "RINPERSOONMa": 1, "RINPERSOONpa": 5}
    assert _digest(root) == before  # the sources are only read


def test_chunks_smaller_than_the_file_and_years(ra):
    layout, con, _ = ra
    loaded = load_ra_table(con, layout, "gbalevendgeborenen", chunk_rows=2)
    assert [(f.year, f.file.name, f.rows, f.chunks) for f in loaded] == [
        (2022, "GBALEVENDGEBORENENMASSA2022TABV1.sav", 1, 1),
        (2023, "GBALEVENDGEBORENENMASSA2023TABV2.sav", 5, 3),  # lower-case names in V2
    ]
    assert con.execute("SELECT ra_year, count(*) FROM raw_ra.gbalevendgeborenen GROUP BY 1 ORDER BY 1"
                       ).fetchall() == [(2022, 1), (2023, 5)]
    # loading a year again replaces that year only
    spec = layout.table("gbalevendgeborenen")
    v1 = next(ra[2].rglob("GBALEVENDGEBORENENMASSA2023TABV1.sav"))
    load_ra_file(con, spec, v1, year=2023, chunk_rows=3)
    assert con.execute("SELECT ra_year, count(*) FROM raw_ra.gbalevendgeborenen GROUP BY 1 ORDER BY 1"
                       ).fetchall() == [(2022, 1), (2023, 4)]


def test_a_number_key_is_written_back_with_its_zeros(tmp_path):
    path = write_sav(tmp_path / "X2023V1.sav", {
        "RINPERSOONS": ["R", "R", "R"], "RINPERSOON": [123.0, 0.0, None], "RANGNUMMERMOEDER": [1.0, 2.0, 3.0]})
    con = duckdb.connect()
    load_ra_file(con, DEFAULT_TABLES["gbalevendgeborenen"], path, year=2023, chunk_rows=2)
    assert con.execute("SELECT RINPERSOON FROM raw_ra.gbalevendgeborenen ORDER BY RANGNUMMERMOEDER"
                       ).fetchall() == [("000000123",), (None,), (None,)]


def test_the_csv_delivery_with_decimal_commas(ra):
    layout, con, _ = ra
    [loaded] = load_ra_table(con, layout, "perined")
    assert loaded.file.name == "Perined_2017_2024V1.csv"  # newer than the .sav delivery
    rows = con.execute("SELECT RINPERSOONS_Kind, Rinpersoon_Kind, RINPERSOONS_Moeder, Rinpersoon_Moeder, "
                       "jaar, amww, hoftiezer FROM raw_ra.perined ORDER BY Rinpersoon_Kind").fetchall()
    assert rows[0] == ("R", C[1], "R", M[1], 2023, 39, 50.5)
    assert rows[1][6] == 7.25
    assert rows[2][2:4] == (None, None) and rows[2][6] is None


def test_bad_files_give_one_line_and_leave_the_table(ra, tmp_path):
    layout, con, root = ra
    load_ra_table(con, layout, "kindoudertab")
    spec = layout.table("kindoudertab")
    not_sav = tmp_path / "KINDOUDER2024TABV1.sav"
    not_sav.write_bytes(b"PK\x03\x04 this is a zip")
    renamed = write_sav(tmp_path / "renamed.sav", {"RINPERSOONS": ["R"], "RINPERSOON": [C[1]], "MOEDER": [M[1]]})
    bad_key = write_sav(tmp_path / "badkey.sav", {
        **{k: v[:1] for k, v in kindoudertab(1).items()},
        "RINPERSOONMa": ["12AB"]})
    whole = write_sav(tmp_path / "whole.sav", {k: v * 50 for k, v in kindoudertab(1).items()})
    truncated = tmp_path / "truncated.sav"
    truncated.write_bytes(whole.read_bytes()[: whole.stat().st_size * 2 // 3])
    cases = [
        (not_sav, r"KINDOUDER2024TABV1\.sav: not a readable SPSS \.sav file"),
        (truncated, r"truncated\.sav: reading stopped after \d+ chunk"),
        (renamed, r"renamed\.sav: column RINPERSOONSMa of table kindoudertab not found"),
        (bad_key, r"badkey\.sav: column RINPERSOONMa: 1 value\(s\) are not a 9-digit person number \(e\.g\. '12AB'\)"),
    ]
    for path, message in cases:
        with pytest.raises(RaReadError, match=message) as info:
            load_ra_file(con, spec, path, chunk_rows=100)
        assert "\n" not in str(info.value)
    assert con.execute("SELECT count(*) FROM raw_ra.kindoudertab").fetchone() == (6,)
    assert con.execute("SELECT count(*) FROM information_schema.tables WHERE table_name LIKE '%loading'"
                       ).fetchone() == (0,)


def test_missing_table_is_one_line(ra):
    layout, con, _ = ra
    with pytest.raises(RaReadError, match=r"vektis_zorg: no file found by L:/Vektis"):
        load_ra_table(con, layout, "vektis_zorg")


def test_the_documented_config_example_is_valid():
    text = (Path(__file__).parent.parent / "docs" / "sources.md").read_text(encoding="utf-8")
    example = text.split("```toml\n", 1)[1].split("```", 1)[0]
    layout = parse_layout(example, "docs/sources.md")
    assert layout.tables["perined"].globs[0] == "L:/Levering 2025/Perined*.csv"
    assert split_drive(layout.tables["gbapersoontab"].globs[0], layout.roots) == (
        "G:/", "Bevolking/GBAPERSOONTAB/*/GBAPERSOON*TABV*.sav")


def test_bad_csv_deliveries_and_a_year_without_a_year(ra, tmp_path):
    layout, con, root = ra
    spec = layout.table("perined")
    header = "CBKSoortNr_Kind;Rinpersoon_Kind;CBKSoortNr_Moeder;Rinpersoon_Moeder;jaar;amww;sterfte;omv;rangnummer"
    no_amww = tmp_path / "no_amww.csv"
    no_amww.write_text(header.replace(";amww", "") + "\nR;000000101;R;000000011;2023;0;1;1\n")
    short_key = tmp_path / "short_key.csv"
    short_key.write_text(header + "\nR;101;R;000000011;2023;39;0;1;1\n")
    late_text = tmp_path / "late_text.csv"
    late_text.write_text(header + "\n" + "".join(f"R;{C[1]};R;{M[1]};2023;{30 + i % 10};0;1;1\n" for i in range(25_000))
                         + f"R;{C[2]};R;{M[2]};2023;onbekend;0;1;1\n")
    for path, message in [
        (late_text, r"late_text\.csv: cannot be read as perined \(.*Error when converting column \"amww\""),
        (no_amww, r"no_amww\.csv: column amww of table perined not found"),
        (short_key, r"short_key\.csv: column Rinpersoon_Kind: 1 value\(s\) are not a 9-digit person number"),
    ]:
        with pytest.raises(RaReadError, match=message):
            load_ra_file(con, spec, path)
    stray = root / "G" / "Bevolking" / "GBALEVENDGEBORENENMASSATAB" / "GBALEVENDGEBORENENMASSATABV3.sav"
    write_sav(stray, {"RINPERSOONS": ["R"], "RINPERSOON": [C[1]], "RANGNUMMERMOEDER": [1.0]})
    with pytest.raises(RaReadError, match=r"GBALEVENDGEBORENENMASSATABV3\.sav: gbalevendgeborenen has a file per year"):
        load_ra_table(con, layout, "gbalevendgeborenen")


def test_a_column_only_later_years_have_joins_the_table(tmp_path):
    spec = DEFAULT_TABLES["gbapersoontab"]
    base = {"RINPERSOONS": ["R"], "RINPERSOON": [C[1]], "GBAGEBOORTEJAAR": ["2023"], "GBAGEBOORTEMAAND": ["05"],
            "GBAGESLACHT": ["2"], "GBAHERKOMSTGROEPERING": ["6030"], "GBAGENERATIE": ["0"]}
    con = duckdb.connect()
    load_ra_file(con, spec, write_sav(tmp_path / "P2022V1.sav", base), year=2022)
    load_ra_file(con, spec, write_sav(tmp_path / "P2023V1.sav", {**base, "gbageboortedag": ["17"]}), year=2023)
    assert con.execute("SELECT ra_year, GBAGEBOORTEDAG FROM raw_ra.gbapersoontab ORDER BY 1").fetchall() == [
        (2022, None), (2023, "17")]
