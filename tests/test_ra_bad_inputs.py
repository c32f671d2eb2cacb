"""Bad input in the RA layout gets what bad input gets elsewhere: one clear line naming the file
(and the column), or quarantine with a reason; nothing half-loaded (raw_ra keeps what it had);
the files on the drives untouched. Each case starts from the good layout of
tests/ra_records_fixture.py, read once, and changes one thing."""

from __future__ import annotations

import hashlib
import os
import re
import shutil
from pathlib import Path

import duckdb
import pandas as pd
import pyreadstat
import pytest

from orchestration.assets.ingest.load import load_extract
from orchestration.errors import UserError
from orchestration.ra.layout import parse_layout
from orchestration.ra.records import build_records, derived_extract, placement_counts, refresh_raw_ra
from orchestration.resources import build_resources
from orchestration.settings import Paths
from orchestration.sources import SOURCES
from tests.ra_records_fixture import YEAR, key, kid, write_full_layout
from tests.ra_fixtures import write_sav

pytestmark = pytest.mark.e2e

G = Path("G")
BEV = G / "Bevolking"
GW = G / "GezondheidWelzijn"


def rewrite(root: Path, relative: Path, change) -> None:
    """Read a .sav of the layout, change its frame, write it back."""
    path = root / relative
    frame, _ = pyreadstat.read_sav(str(path))
    frame = change(frame)
    path.unlink()
    write_sav(path, {c: frame[c].tolist() for c in frame.columns})


def not_a_sav(root):
    (root / BEV / "KINDOUDERTAB" / "KINDOUDER2022TABV1.sav").write_text("RINPERSOONS;RINPERSOON\nR;000000001\n")


def table_missing_for_year(root):
    shutil.rmtree(root / GW / "MEDICIJNTAB" / "2022")


def renamed_variable(root):
    rewrite(root, BEV / "GBAADRESOBJECTBUS" / "GBAADRESOBJECT2023BUSV1.sav",
            lambda f: f.rename(columns={"GBADATUMAANVANGADRESHOUDING": "DATUMAANVANG"}))


def keys_not_nine_digits(root):
    rewrite(root, GW / "WANBZVWTAB" / "2022" / "WANBZVW2022TABV1.sav",
            lambda f: f.assign(RINPERSOON=["12345"] + f["RINPERSOON"].tolist()[1:]))


def empty_table(root):
    rewrite(root, BEV / "GBALEVENDGEBORENENMASSATAB" / "2022" / "GBALEVENDGEBORENENMASSA2022TABV1.sav",
            lambda f: f.iloc[0:0])


def two_files_same_version(root):
    folder = root / "K" / "Utilities" / "Code_Listings" / "SSBreferentiebestanden"
    shutil.copyfile(folder / "CTOREFV12.sav", folder / "CTOREFV012.sav")  # version 12 again


def perined_csv_with_text_in_a_number(root):
    folder = root / "L" / "Perined"
    frame, _ = pyreadstat.read_sav(str(folder / "Perined_2017_2022V1.sav"))
    frame["amww"] = frame["amww"].astype(int).astype(str)
    frame.loc[3, "amww"] = "onbekend"
    frame.to_csv(folder / "Perined_2017_2022V2.csv", sep=";", decimal=",", index=False)


def no_gemeente_column_for_the_year(root):
    rewrite(root, G / "BouwenWonen" / "VSLGWBTAB" / "VSLGWB2023TABV1.sav", lambda f: f.drop(columns=["gem2022"]))


def child_linked_to_two_mothers(root):
    def twice(frame):
        extra = frame[frame["RINPERSOON"] == key("C1")].assign(RINPERSOONMa=key("M5"))
        return pd.concat([frame, extra], ignore_index=True)
    rewrite(root, BEV / "KINDOUDERTAB" / "KINDOUDER2022TABV1.sav", twice)


def impossible_gestational_age(root):
    rewrite(root, Path("L") / "Perined" / "Perined_2017_2022V1.sav",
            lambda f: f.assign(amww=[99] + f["amww"].tolist()[1:]))


def address_code_not_a_gemeente(root):
    rewrite(root, G / "BouwenWonen" / "VSLGWBTAB" / "VSLGWB2023TABV1.sav",
            lambda f: f.assign(gem2022=["XXXX"] + f["gem2022"].tolist()[1:]))  # A1 (Amsterdam)


def person_keys_stored_as_numbers(root):
    rewrite(root, GW / "WANBZVWTAB" / "2022" / "WANBZVW2022TABV1.sav",
            lambda f: f.assign(RINPERSOON=f["RINPERSOON"].astype(int).astype(float)))


# case -> (change, where it stops: 'read' | 'derive' | None, message pattern or outcome)
CASES = {
    "not_a_sav": (not_a_sav, "read", r"KINDOUDER2022TABV1\.sav: not a readable SPSS \.sav file"),
    "table_missing_for_year": (table_missing_for_year, "read", r"^medicijntab: no file for 2022 found by G:/GezondheidWelzijn/MEDICIJNTAB"),
    "renamed_variable": (renamed_variable, "read", r"GBAADRESOBJECT2023BUSV1\.sav: column GBADATUMAANVANGADRESHOUDING of table gbaadresobjectbus not found"),
    "keys_not_nine_digits": (keys_not_nine_digits, "read", r"WANBZVW2022TABV1\.sav: column RINPERSOON: 1 value\(s\) are not a 9-digit person number \(e\.g\. '12345'\)"),
    "empty_table": (empty_table, "read", r"GBALEVENDGEBORENENMASSA2022TABV1\.sav: no rows; gbalevendgeborenen keeps what it had"),
    "two_files_same_version": (two_files_same_version, "read", r"ctoref: two files with the same year and version"),
    "perined_csv_with_text_in_a_number": (perined_csv_with_text_in_a_number, None, "quarantined: column amww: missing value"),
    "no_gemeente_column_for_the_year": (no_gemeente_column_for_the_year, "derive", r"raw_ra\.vslgwbtab has no gemeente column gem2022 for the births of 2022"),
    "child_linked_to_two_mothers": (child_linked_to_two_mothers, "derive", r"one_row_per_child_in_kindoudertab"),
    "impossible_gestational_age": (impossible_gestational_age, None, "quarantined: column amww: value '99' outside 22-45"),
    "address_code_not_a_gemeente": (address_code_not_a_gemeente, None, "placed"),
    "person_keys_stored_as_numbers": (person_keys_stored_as_numbers, None, "accepted"),
}


def drive_state(root: Path) -> dict[str, str]:
    return {str(p.relative_to(root)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(root.rglob("*")) if p.is_file()}


@pytest.fixture(scope="module")
def good_home(tmp_path_factory):
    """A home whose raw_ra holds the good layout (read once)."""
    home = tmp_path_factory.mktemp("ra_good")
    layout_text = write_full_layout(home / "ra")
    with duckdb.connect(str(home / "warehouse.duckdb")) as con:
        con.execute("CREATE SCHEMA raw")
        con.execute("CREATE TABLE raw.regions AS SELECT * FROM (VALUES (2022, 'GM0363'), (2023, 'GM0363')) "
                    "AS t(classification_year, gemeente_code)")
        refresh_raw_ra(con, parse_layout(layout_text), YEAR)
    return home, layout_text


@pytest.mark.parametrize("case", sorted(CASES))
def test_bad_ra_input(case, good_home, tmp_path):
    change, stops, expect = CASES[case]
    home = tmp_path / "home"
    shutil.copytree(good_home[0], home)
    paths = Paths(home)
    os.environ["KSM_WAREHOUSE"] = str(paths.warehouse)
    root = home / "ra"
    change(root)
    layout = parse_layout(good_home[1].replace(str(good_home[0]), str(home)))
    before = drive_state(root)
    with duckdb.connect(str(paths.warehouse)) as con:
        counts = {t: con.execute(f"SELECT count(*) FROM raw_ra.{t}").fetchone()[0]
                  for (t,) in con.execute("SELECT table_name FROM information_schema.tables "
                                          "WHERE table_schema = 'raw_ra' AND NOT starts_with(table_name, '_')").fetchall()}
    try:
        if stops == "read":
            with duckdb.connect(str(paths.warehouse)) as con, pytest.raises(UserError) as caught:
                refresh_raw_ra(con, layout, YEAR)
            message = str(caught.value)
            assert "\n" not in message and "Traceback" not in message
            assert re.search(expect, message), message
            with duckdb.connect(str(paths.warehouse)) as con:  # nothing half-loaded
                for table, n in counts.items():
                    assert con.execute(f"SELECT count(*) FROM raw_ra.{table}").fetchone()[0] == n, table
                assert not con.execute("SELECT count(*) FROM information_schema.tables WHERE table_schema = 'raw_ra' "
                                       "AND ends_with(table_name, '__loading')").fetchone()[0]
            return
        with duckdb.connect(str(paths.warehouse)) as con:
            refresh_raw_ra(con, layout, YEAR)
        if stops == "derive":
            with pytest.raises(UserError) as caught:
                build_records(build_resources(paths)["dbt"], paths, YEAR, "bad00000")
            message = str(caught.value)
            assert "\n" not in message and message.startswith("deriving the records from the RA tables failed: ")
            assert re.search(expect, message), message
            return
        build_records(build_resources(paths)["dbt"], paths, YEAR, "bad00000")
        with duckdb.connect(str(paths.warehouse)) as con:
            parsed = derived_extract(con, "perined", YEAR)
            placed = placement_counts(con)
            result = load_extract(con, SOURCES["perined"], YEAR, parsed, home / "quarantine")
        if expect.startswith("quarantined: "):  # an impossible or unreadable value: the row, with the reason
            assert (result.rows_accepted, result.rows_quarantined) == (7, 1)
            text = result.quarantine_file.read_text(encoding="utf-8")
            assert expect.removeprefix("quarantined: ") in text and "ra_perined_2022.derived" in text
        elif expect == "placed":  # Amsterdam's address object without a gemeente: those births count in Nederland only
            assert placed == {"adres": 2, "terugval": 1, "geen": 5}
            assert result.rows_quarantined == 0
        else:  # keys stored as numbers keep their leading zeros and still match
            assert result.rows_quarantined == 0
            with duckdb.connect(str(paths.warehouse), read_only=True) as con:
                flags = dict(con.execute("SELECT kind_id, problematische_schulden FROM ra.ra_cbs_linked").fetchall())
            assert flags[kid("C2")] == "1"  # the other parent is listed in WANBZVWTAB
    finally:
        assert drive_state(root) == before, "the RA files are only read"
