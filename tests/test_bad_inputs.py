"""The bad-input corpus (`tests/bad_inputs/`): every case has the outcome its manifest line and
`docs/sources.md` promise, no exception but a one-line `ExtractRejected` reaches the caller, the
inbox file is never changed, and every row read is either accepted or quarantined.

What git cannot carry as it is (a symbolic link, a FIFO, a file name with a line end) a case
describes in its `.make` file, one line each, done after the case is copied into the inbox:
`symlink NAME -> outside` (a link to a file outside the inbox), `fifo NAME`, and
`rename NAME -> NEW NAME` (the new name with Python escapes such as \\n and \\x1b).
Regions cases are laid over a complete regions reference and loaded as the regions asset does."""

from __future__ import annotations

import codecs
import csv
import hashlib
import os
import stat
import shutil
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest

from orchestration.assets.ingest.extract_files import ExtractRejected, find_extract, parse_extract
from orchestration.assets.ingest.load import load_extract
from orchestration.assets.ingest.regions import load_regions
from orchestration.escaping import named
from orchestration.sources import YEARLY_SOURCES
from tiny_inbox import write_regions

CORPUS = Path(__file__).parent / "bad_inputs"
DOCS = Path(__file__).parent.parent / "docs" / "sources.md"


def manifest() -> list[dict]:
    with (CORPUS / "manifest.csv").open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle, delimiter=";"))


CASES = manifest()

# a good earlier delivery of the same source and year: a rejected file must leave it in raw
PREVIOUS = {
    "perined": ["kind_id;moeder_id;geboortejaar;gemeente_code;gemeente_code_actueel;amww;hoftiezer;"
                "amddd1ond;sterfte;omv;rangnummer;leeftijd_moeder;pariteit",
                "P1;Q1;2020;GM0363;;39;50,0;60;0;1;1;30;0", "P2;Q2;2020;GM0363;;38;40,0;60;0;1;1;31;1"],
    "population": ["RegioS;Perioden;Leeftijd;BevolkingOp1Januari_1", "GM0363;2020JJ00;1;9000"],
    "questionnaire": ["jaar;gemeente_code;gemeentenaam;coalitie;actieplan;prenataal_huisbezoek;nu_niet_zwanger",
                      "2020;GM0363;Amsterdam;ja;ja;ja;ja"],
    "cbs_linked": ["kind_id;jaar;inkomen_kwintiel;opleiding_moeder;migratieachtergrond;problematische_schulden;"
                   "psychische_problemen;meervoudig_kwetsbaar", "P1;2020;3;midden;nederland;0;0;0"],
    "vektis": ["kind_id;jaar;kraamzorg_declaratie;lange_opname", "P1;2020;1;0"],
    "youth_protection": ["kind_id;jaar;gemeente_code;leeftijd;residentieel_overlap", "P1;2020;GM0363;0;1"],
}
# the first line of a file outside the inbox: no message may ever show it
OUTSIDE_SECRET = "SECRET-FIRST-LINE-OF-AN-OUTSIDE-FILE"


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def snapshot(folder: Path) -> dict:
    """What the folder holds, without following a link or opening a FIFO."""
    found = {}
    for p in folder.iterdir():
        mode = p.lstat().st_mode
        found[p.name] = (("link", os.readlink(p)) if stat.S_ISLNK(mode) else sha256(p) if stat.S_ISREG(mode)
                         else ("special", stat.S_IFMT(mode)))
    return found


def make_specials(folder: Path, outside: Path) -> None:
    """Carry out the case's `.make` lines (see the module docstring)."""
    steps = folder / ".make"
    if not steps.exists():
        return
    for line in steps.read_text(encoding="utf-8").splitlines():
        action, _, rest = line.partition(" ")
        name, _, target = (part.strip() for part in rest.partition("->"))
        if action == "symlink":
            outside.write_text(f"{OUTSIDE_SECRET};x;y\n1;2;3\n", encoding="utf-8")
            (folder / name).unlink(missing_ok=True)
            (folder / name).symlink_to(outside)
        elif action == "fifo":
            os.mkfifo(folder / name)
        elif action == "rename":
            (folder / name).rename(folder / codecs.decode(target, "unicode_escape"))
        else:
            raise ValueError(f"unknown .make action {action!r}")


@pytest.fixture(scope="module")
def regions_db(tmp_path_factory):
    """Classifications 2018-2021, so that codes merged away before 2020 are recognised as such."""
    base = tmp_path_factory.mktemp("corpus-regions")
    write_regions(base / "inbox", years=[2018, 2019, 2020, 2021])
    db = base / "regions.duckdb"
    with duckdb.connect(str(db)) as con:
        load_regions(con, base / "inbox" / "regions")
    return db


def ingest_folder(con, source: str, year: int, folder: Path, quarantine: Path):
    """What the ingest asset does, minus Dagster: find, parse, validate and load."""
    spec = YEARLY_SOURCES[source]
    path = find_extract(folder, source, year)
    return load_extract(con, spec, year, parse_extract(path, spec.column_names), quarantine)


def test_manifest_lists_every_case_folder_and_at_least_twenty():
    folders = sorted(p.name for p in CORPUS.iterdir() if p.is_dir())
    assert sorted(c["case"] for c in CASES) == folders
    assert len(folders) >= 20
    assert {c["outcome"] for c in CASES} == {"accepted", "quarantined", "rejected"}


def test_docs_list_every_case_with_its_outcome():
    text = DOCS.read_text(encoding="utf-8")
    for case in CASES:
        line = next((row for row in text.splitlines() if row.startswith(f"| `{case['case']}` |")), None)
        assert line is not None, f"docs/sources.md has no row for {case['case']}"
        assert case["outcome"] in line


def regions_case(case, regions_db, tmp_path):
    """A regions case: its files laid over a complete reference (2018-2021), loaded whole."""
    db = tmp_path / "warehouse.duckdb"
    shutil.copyfile(regions_db, db)
    with duckdb.connect(str(db)) as con:
        previous = con.execute("SELECT * FROM raw.regions ORDER BY ALL").fetchall()
        inbox = tmp_path / "inbox"
        write_regions(inbox, years=[2018, 2019, 2020, 2021])
        folder = inbox / "regions" / case["year"]
        for item in (CORPUS / case["case"]).iterdir():
            shutil.copyfile(item, folder / item.name)
        make_specials(folder, tmp_path / "outside.csv")
        before = snapshot(folder)
        with pytest.raises(ExtractRejected) as rejected:
            load_regions(con, inbox / "regions")
        assert snapshot(folder) == before, "the inbox must never change"
        assert con.execute("SELECT * FROM raw.regions ORDER BY ALL").fetchall() == previous
    return str(rejected.value), before


@pytest.mark.parametrize("case", CASES, ids=[c["case"] for c in CASES])
def test_bad_input_case(case, regions_db, tmp_path):
    source, year = case["source"], int(case["year"])
    if source == "regions":
        assert case["outcome"] == "rejected", "reference data are loaded whole or not at all"
        message, before = regions_case(case, regions_db, tmp_path)
        assert "\n" not in message and len(message) < 1000, "one readable line"
        assert any(named(name) in message for name in before), "the message names the file"
        assert case["expect"] in message and OUTSIDE_SECRET not in message
        return
    db = tmp_path / "warehouse.duckdb"
    shutil.copyfile(regions_db, db)
    con = duckdb.connect(str(db))
    try:
        earlier = tmp_path / "earlier" / source / str(year)
        earlier.mkdir(parents=True)
        (earlier / "earlier.csv").write_text("\n".join(PREVIOUS[source]) + "\n", encoding="utf-8")
        ingest_folder(con, source, year, earlier, tmp_path / "q-earlier")
        previous_rows = con.execute(f"SELECT * FROM raw.{source} ORDER BY ALL").fetchall()
        previous_log = con.execute("SELECT file_name, sha256 FROM raw.ingest_log WHERE source = ?",
                                   [source]).fetchall()

        folder = tmp_path / "inbox" / source / str(year)
        shutil.copytree(CORPUS / case["case"], folder)
        make_specials(folder, tmp_path / "outside.csv")
        before = snapshot(folder)
        quarantine = tmp_path / "quarantine" / source / str(year)
        try:
            result = ingest_folder(con, source, year, folder, quarantine)
            outcome, message = ("quarantined" if result.rows_quarantined else "accepted"), None
        except ExtractRejected as exc:  # anything else would reach the user as a traceback
            outcome, message, result = "rejected", str(exc), None

        assert snapshot(folder) == before, "the inbox must never change"
        assert outcome == case["outcome"], message or result.metadata()
        if outcome == "rejected":
            assert "\n" not in message and len(message) < 1000, "one readable line"
            assert any(named(name) in message for name in before), "the message names the file"
            assert case["expect"] in message
            assert OUTSIDE_SECRET not in message, "nothing of a file outside the inbox"
            # the earlier delivery stays, as if the bad file had never arrived
            assert con.execute(f"SELECT * FROM raw.{source} ORDER BY ALL").fetchall() == previous_rows
            assert con.execute("SELECT file_name, sha256 FROM raw.ingest_log WHERE source = ?",
                               [source]).fetchall() == previous_log
            return

        assert (result.rows_accepted, result.rows_quarantined) == (int(case["accepted"]), int(case["quarantined"]))
        assert result.rows_read == result.rows_accepted + result.rows_quarantined
        in_raw = con.execute(f"SELECT count(*) FROM raw.{source} WHERE year = ?", [year]).fetchone()[0]
        assert in_raw == result.rows_accepted
        logged = con.execute("SELECT rows_read, rows_accepted, rows_quarantined FROM raw.ingest_log "
                             "WHERE source = ? AND year = ?", [source, year]).fetchone()
        assert logged == (result.rows_read, result.rows_accepted, result.rows_quarantined)
        if result.rows_quarantined:
            with result.quarantine_file.open(encoding="utf-8", newline="") as handle:
                rejected = list(csv.DictReader(handle, delimiter=";"))
            assert len(rejected) == result.rows_quarantined
            # every reason names the column (or the row's shape) and every line is a real line
            assert all(r["reason"].startswith(("column ", "row has ")) for r in rejected)
            assert case["expect"] in " | ".join(r["reason"] for r in rejected)
        else:
            assert result.quarantine_file is None
            assert case["expect"] in "; ".join(result.notes)
    finally:
        con.close()


def _run_case(case_name: str, regions_db, tmp_path):
    case = next(c for c in CASES if c["case"] == case_name)
    db = tmp_path / "warehouse.duckdb"
    shutil.copyfile(regions_db, db)
    con = duckdb.connect(str(db))
    folder = tmp_path / "inbox" / case["source"] / case["year"]
    shutil.copytree(CORPUS / case_name, folder)
    result = ingest_folder(con, case["source"], int(case["year"]), folder, tmp_path / "quarantine")
    return con, result


def test_latin1_names_are_decoded_not_mangled(regions_db, tmp_path):
    con, _ = _run_case("latin1", regions_db, tmp_path)
    names = {n for (n,) in con.execute("SELECT gemeentenaam FROM raw.questionnaire").fetchall()}
    assert "Súdwest-Fryslân" in names
    con.close()


def test_sql_looking_text_is_stored_verbatim(regions_db, tmp_path):
    con, _ = _run_case("sql_looking_text", regions_db, tmp_path)
    stored = {m for (m,) in con.execute("SELECT moeder_id FROM raw.perined").fetchall()}
    assert "M1'); DROP TABLE raw.perined; --" in stored and 'M2" OR 1=1 --' in stored
    con.close()


def test_quarantined_formulas_cannot_run_in_a_spreadsheet(regions_db, tmp_path):
    con, result = _run_case("spreadsheet_formulas", regions_db, tmp_path)
    with result.quarantine_file.open(encoding="utf-8", newline="") as handle:
        cells = [cell for row in csv.reader(handle, delimiter=";") for cell in row]
    assert not [c for c in cells if c[:1] in ("=", "@", "+") or (c[:1] == "-" and not c[1:2].isdigit())]
    assert "'=HYPERLINK(\"http://example.invalid/x\",\"klik\")" in cells
    con.close()


def test_whole_numbers_are_never_rounded(regions_db, tmp_path):
    con, _ = _run_case("decimal_in_whole_number", regions_db, tmp_path)
    assert con.execute("SELECT list(amww) FROM raw.perined").fetchone()[0] == [39]
    con.close()


@pytest.mark.e2e
def test_ksm_run_on_a_bad_delivery_prints_no_traceback(copy_home):
    """Through the real command: binary junk instead of the perined extract blocks the year with
    one line naming the file; nothing published changes and the inbox file is left as it was."""
    folder = copy_home.inbox / "perined" / "2020"
    for old in folder.iterdir():
        old.unlink()
    shutil.copytree(CORPUS / "binary_junk", folder, dirs_exist_ok=True)
    junk = folder / "perined_2020.csv"
    before, published = sha256(junk), sha256(copy_home.published)
    done = subprocess.run([str(Path(sys.executable).parent / "ksm"), "run", "--year", "2020"],
                          capture_output=True, text=True, env=dict(os.environ), timeout=600)
    output = done.stdout + done.stderr
    assert done.returncode == 1, output
    assert "Traceback" not in output
    failed = [line for line in output.splitlines() if "FAILED" in line]
    assert any("perined_2020.csv" in line and "binary content" in line for line in failed), output
    assert "BLOCKED" in output
    assert sha256(junk) == before and sha256(copy_home.published) == published
    assert sorted(p.name for p in (copy_home.releases / "2020").iterdir()) == ["v1"]


@pytest.mark.parametrize("value, formula", [
    ("=HYPERLINK(1)", True), ("@SUM(A1)", True), ("+cmd|' /C calc'!A0", True), ("-M5", True),
    ("-2+3+cmd|' /C calc'!A0", True), ("\t=1", True), ("-5", False), ("+31612345678", False),
    ("-0,5", False), ("-", False), ("M-5", False), ("2024-01", False),
])
def test_one_formula_rule_for_the_check_and_the_quarantine_file(value, formula):
    from orchestration.assets.ingest.load import DECIMAL_PATTERN, FORMULA_START_PATTERN, looks_like_formula

    in_sql = duckdb.connect().execute(
        "SELECT regexp_matches(?, ?) AND NOT regexp_full_match(?, ?)",
        [value, FORMULA_START_PATTERN, value, DECIMAL_PATTERN]).fetchone()[0]
    assert looks_like_formula(value) is formula
    assert in_sql is formula


@pytest.mark.parametrize("value", [
    "Amsterdam", "K1\x00", "Haren\x1b[31m", "a\nb", "tab\there", "\x85", "=SUM(A1)", "-5", "x" * 201,
    "Súdwest-Fryslân", "'s-Gravenhage",
])
def test_one_text_rule_for_the_yearly_sources_and_the_reference_data(value, tmp_path):
    """`load.text_problem` (reference data, row by row) and `column_sql` (yearly sources, in
    DuckDB) find the same values bad."""
    from orchestration.assets.ingest.load import column_sql, text_problem
    from orchestration.sources import Column

    _, reasons = column_sql(Column("naam", "text"), 2020, True)
    con = duckdb.connect()
    con.execute("CREATE TABLE t AS SELECT ? AS naam", [value])
    in_sql = con.execute(f"SELECT list_filter([{', '.join(reasons)}], lambda r: r IS NOT NULL) FROM t").fetchone()[0]
    assert bool(in_sql) == (text_problem(value) is not None)


def test_thousands_are_never_read_as_units(regions_db, tmp_path):
    con, _ = _run_case("thousands_separator", regions_db, tmp_path)
    counts = con.execute("SELECT list(BevolkingOp1Januari_1 ORDER BY Leeftijd) FROM raw.population").fetchone()[0]
    assert counts == [3400, 9100]  # GM0344 age 0 and GM0363 age 1; 9.000, 2,300 and 1.000.000 quarantined
    con.close()


def test_escaped_names_cannot_forge_lines():
    from orchestration.escaping import escaped

    assert escaped("a\nb\x1b[31m\x00") == "a\\nb\\x1b[31m\\x00"
    assert escaped("Súdwest-Fryslân") == "Súdwest-Fryslân"
    assert escaped("x" * 100, 10) == "x" * 10 + "..."


@pytest.mark.e2e
def test_a_link_in_the_inbox_leaks_nothing_to_the_terminal_or_the_alerts(copy_home, tmp_path):
    """Through the real command: a symbolic link to a file outside the inbox instead of the vektis
    extract blocks the year with one line; nothing of the outside file reaches the terminal or
    alerts.jsonl, the release stays as it was."""
    folder = copy_home.inbox / "vektis" / "2020"
    for old in folder.iterdir():
        old.unlink()
    outside = tmp_path / "outside.csv"
    outside.write_text(f"{OUTSIDE_SECRET};kind_id\n1;2\n", encoding="utf-8")
    (folder / "vektis_2020.csv").symlink_to(outside)
    published = sha256(copy_home.published)
    done = subprocess.run([str(Path(sys.executable).parent / "ksm"), "run", "--year", "2020"],
                          capture_output=True, text=True, env=dict(os.environ), timeout=600)
    output = done.stdout + done.stderr
    assert done.returncode == 1, output
    assert "Traceback" not in output and OUTSIDE_SECRET not in output
    assert any("vektis_2020.csv is a symbolic link" in line for line in output.splitlines() if "FAILED" in line), output
    alerts = copy_home.alerts.read_text(encoding="utf-8")
    assert "is a symbolic link" in alerts and OUTSIDE_SECRET not in alerts
    assert sha256(copy_home.published) == published and os.readlink(folder / "vektis_2020.csv") == str(outside)


def test_a_year_or_source_folder_that_is_a_link_is_refused(tmp_path):
    outside = tmp_path / "outside"
    shutil.copytree(CORPUS / "utf8_bom", outside)
    inbox = tmp_path / "inbox"
    (inbox / "perined").mkdir(parents=True)
    (inbox / "perined" / "2020").symlink_to(outside)
    (inbox / "vektis").symlink_to(outside.parent)
    for folder in (inbox / "perined" / "2020", inbox / "vektis" / "outside"):
        with pytest.raises(ExtractRejected, match="is a symbolic link, not a folder of the inbox"):
            find_extract(folder, folder.parent.name, 2020)


@pytest.mark.e2e
def test_a_file_name_with_control_characters_is_escaped_on_the_terminal_and_in_the_alerts(copy_home, tmp_path):
    """Through the real command: a perined extract named with a line end and an escape sequence
    blocks the year; the terminal and alerts.jsonl show the name escaped, never the characters."""
    import json

    folder = copy_home.inbox / "perined" / "2020"
    for old in folder.iterdir():
        old.unlink()
    shutil.copytree(CORPUS / "file_name_with_control_characters", folder, dirs_exist_ok=True)
    make_specials(folder, tmp_path / "outside.csv")
    published = sha256(copy_home.published)
    done = subprocess.run([str(Path(sys.executable).parent / "ksm"), "run", "--year", "2020"],
                          capture_output=True, text=True, env=dict(os.environ), timeout=600)
    output = done.stdout + done.stderr
    assert done.returncode == 1, output
    assert "Traceback" not in output and "\x1b" not in output
    assert any("perined\\n2020\\x1b[31m.csv: a header line but no data rows" in line
               for line in output.splitlines() if "FAILED" in line), output
    messages = [json.loads(line)["message"] for line in copy_home.alerts.read_text(encoding="utf-8").splitlines()]
    assert any("perined\\n2020\\x1b[31m.csv" in m for m in messages), messages
    assert not [m for m in messages if "\x1b" in m or "\n" in m]
    assert sha256(copy_home.published) == published


@pytest.mark.e2e
@pytest.mark.parametrize("case_name", ["nul_deep_in_file", "mixed_encodings", "thousands_separator",
                                       "full_width_digits_in_code"])
def test_corpus_cases_through_ksm_run(case_name, copy_home, tmp_path):
    """One case of several classes through the real command, over the released tiny year: no
    traceback, the inbox as delivered, rows read = accepted + quarantined, earlier releases intact."""
    case = next(c for c in CASES if c["case"] == case_name)
    folder = copy_home.inbox / case["source"] / case["year"]
    if case["source"] != "regions":  # regions cases are laid over the whole reference
        for old in folder.iterdir():
            old.unlink()
    for item in (CORPUS / case_name).iterdir():
        shutil.copyfile(item, folder / item.name)
    make_specials(folder, tmp_path / "outside.csv")
    before = snapshot(folder)
    releases = {p: sha256(p) for p in copy_home.releases.rglob("*") if p.is_file()}
    done = subprocess.run([str(Path(sys.executable).parent / "ksm"), "run", "--year", case["year"]],
                          capture_output=True, text=True, env=dict(os.environ), timeout=600)
    output = done.stdout + done.stderr
    assert "Traceback" not in output and "unexpected error" not in output, output
    assert snapshot(folder) == before
    assert all(sha256(p) == digest for p, digest in releases.items()), "earlier releases stay as they were"
    if case["outcome"] == "rejected":
        assert done.returncode == 1 and case["expect"] in output, output
        return
    with duckdb.connect(str(copy_home.warehouse), read_only=True) as con:
        logged = con.execute("SELECT rows_read, rows_accepted, rows_quarantined FROM raw.ingest_log "
                             "WHERE source = ? AND year = ?", [case["source"], int(case["year"])]).fetchone()
    assert logged == (int(case["accepted"]) + int(case["quarantined"]), int(case["accepted"]), int(case["quarantined"]))
