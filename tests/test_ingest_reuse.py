"""An unchanged extract is not loaded again, and anything its load depends on makes it load again."""

from __future__ import annotations

import dataclasses
import shutil

import duckdb
import pytest

from orchestration.assets.ingest.load import slice_digest
from orchestration.assets.ingest.regions import load_regions
from orchestration.assets.ingest.reuse import load_delivered, load_key
from orchestration.sources import PERINED, Column
from test_ingest import perined_row, write_csv
from tiny_inbox import write_regions

YEAR = 2020


@pytest.fixture
def home(regions_db, tmp_path):
    """A warehouse with the classifications, and one perined delivery with one bad row."""
    shutil.copy(regions_db, tmp_path / "warehouse.duckdb")
    folder = tmp_path / "inbox" / "perined" / str(YEAR)
    write_csv(folder / "perined_2020.csv", [perined_row("K1", "363"), perined_row("K2", "0014"),
                                            perined_row("K3", "363", amww="99")])
    return tmp_path


@pytest.fixture(scope="module")
def regions_db(tmp_path_factory):
    base = tmp_path_factory.mktemp("regions")
    write_regions(base / "inbox", years=[2019, YEAR])
    db = base / "regions.duckdb"
    with duckdb.connect(str(db)) as con:
        load_regions(con, base / "inbox" / "regions")
    return db


def load(home, spec=PERINED, reload=False):
    with duckdb.connect(str(home / "warehouse.duckdb")) as con:
        return load_delivered(con, spec, YEAR, home / "inbox" / "perined" / str(YEAR),
                              home / "quarantine" / "perined" / str(YEAR), reload=reload)


def test_an_unchanged_extract_keeps_its_slice_and_says_so(home):
    first = load(home)
    assert first.reused_from is None and (first.rows_accepted, first.rows_quarantined) == (2, 1)
    again = load(home)
    assert again.reused_from is not None and again.load_key == first.load_key
    assert again.notes == first.notes and again.unknown_gemeente == first.unknown_gemeente
    assert (again.rows_read, again.rows_accepted, again.rows_quarantined, again.sha256) == \
        (first.rows_read, first.rows_accepted, first.rows_quarantined, first.sha256)
    assert again.quarantine_file == first.quarantine_file and again.quarantine_file.exists()
    assert again.metadata()["loaded_now"] is False
    assert load(home, reload=True).reused_from is None, "--reload loads whatever the key says"


def _changed_file(home):
    path = home / "inbox" / "perined" / str(YEAR) / "perined_2020.csv"
    path.write_text(path.read_text(encoding="utf-8").replace("K2;", "K4;"), encoding="utf-8")


def _renamed_file(home):
    folder = home / "inbox" / "perined" / str(YEAR)
    (folder / "perined_2020.csv").rename(folder / "perined_2020_v2.csv")


def _edited_slice(home):
    with duckdb.connect(str(home / "warehouse.duckdb")) as con:
        con.execute("UPDATE raw.perined SET amww = 40 WHERE kind_id = 'K1'")


def _deleted_slice(home):
    with duckdb.connect(str(home / "warehouse.duckdb")) as con:
        con.execute("DELETE FROM raw.perined")


def _quarantine_removed(home):
    shutil.rmtree(home / "quarantine")


def _quarantine_edited(home):
    # an analyst opened the quarantine file in a spreadsheet and saved it
    path = home / "quarantine" / "perined" / str(YEAR) / "perined_2020.rejected.csv"
    path.write_text(path.read_text(encoding="utf-8").replace(";", ","), encoding="utf-8")


def _classification_changed(home):
    with duckdb.connect(str(home / "warehouse.duckdb")) as con:
        con.execute("DELETE FROM raw.regions WHERE classification_year = 2019 AND gemeente_code = 'GM0014'")


CHANGES = {"the file's bytes": _changed_file, "the file's name": _renamed_file,
           "a value in the slice": _edited_slice, "the slice emptied": _deleted_slice,
           "the quarantine file removed": _quarantine_removed, "the quarantine file edited": _quarantine_edited,
           "an earlier classification": _classification_changed}


@pytest.mark.parametrize("change", sorted(CHANGES))
def test_a_change_to_what_the_load_depends_on_loads_again(home, change):
    load(home)
    CHANGES[change](home)
    assert load(home).reused_from is None
    assert load(home).reused_from is not None, "and the load after it is kept again"


def test_a_changed_definition_of_the_source_loads_again(home):
    load(home)
    columns = tuple(dataclasses.replace(c, maximum=100) if c.name == "amww" else c for c in PERINED.columns)
    widened = dataclasses.replace(PERINED, columns=columns)
    result = load(home, spec=widened)
    assert result.reused_from is None and result.rows_quarantined == 0


def test_a_rejected_delivery_between_leaves_no_quarantine_of_its_own_behind_a_kept_slice(home):
    """A file of the same name whose rows are all unusable is rejected (the slice stays) but has
    written its reasons to the quarantine folder; putting the first file back loads it again,
    so the quarantine file is that file's again."""
    from orchestration.assets.ingest.extract_files import ExtractRejected

    path = home / "inbox" / "perined" / str(YEAR) / "perined_2020.csv"
    first = path.read_bytes()
    load(home)
    write_csv(path, [perined_row("K7", "363", year="2021")])
    with pytest.raises(ExtractRejected):
        load(home)
    path.write_bytes(first)
    result = load(home)
    assert result.reused_from is None
    assert "amww" in result.quarantine_file.read_text(encoding="utf-8")


def test_the_key_holds_the_year_and_the_definition(home):
    path = home / "inbox" / "perined" / str(YEAR) / "perined_2020.csv"
    with duckdb.connect(str(home / "warehouse.duckdb")) as con:
        keys = {load_key(con, PERINED, year, path, "0" * 64) for year in (2019, YEAR)}
        keys.add(load_key(con, dataclasses.replace(PERINED, columns=PERINED.columns + (Column("x", "text"),)),
                          YEAR, path, "0" * 64))
    assert len(keys) == 3


def test_the_slice_digest_sees_one_value_and_a_null(home):
    load(home)
    with duckdb.connect(str(home / "warehouse.duckdb")) as con:
        before = slice_digest(con, "perined", YEAR)
        con.execute("UPDATE raw.perined SET hoftiezer = NULL WHERE kind_id = 'K1'")
        assert slice_digest(con, "perined", YEAR) != before
        con.execute("UPDATE raw.perined SET hoftiezer = 50.0 WHERE kind_id = 'K1'")
        assert slice_digest(con, "perined", YEAR) == before


def test_a_warehouse_of_an_earlier_version_loads_and_gains_the_keys(home):
    with duckdb.connect(str(home / "warehouse.duckdb")) as con:
        con.execute("ALTER TABLE raw.ingest_log DROP COLUMN load_key")
        con.execute("ALTER TABLE raw.ingest_log DROP COLUMN slice_digest")
        con.execute("ALTER TABLE raw.ingest_log DROP COLUMN quarantine_sha256")
    assert load(home).reused_from is None
    assert load(home).reused_from is not None
