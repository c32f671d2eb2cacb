"""From RA tables to a year's records: every rule of docs/sources.md ("From the RA tables to the
records of a year") on a handful of persons in real `.sav` files (tests/ra_records_fixture.py),
read into DuckDB and derived by the real dbt models (tag ra_layout)."""

from __future__ import annotations

import os
from pathlib import Path

import duckdb
import pytest

from orchestration.ra.layout import parse_layout
from orchestration.ra.read_sav import RaReadError
from orchestration.ra.records import (PLACEMENTS, build_records, derived_extract, placement_counts, placement_line,
                                      refresh_raw_ra)
from orchestration.resources import build_resources
from orchestration.settings import Paths
from orchestration.sources import SOURCES
from tests.ra_records_fixture import (EXPECTED_CBS_LINKED, EXPECTED_PERINED, EXPECTED_PLACEMENT, EXPECTED_VEKTIS,
                                      EXPECTED_YOUTH_PROTECTION, YEAR, write_full_layout)

pytestmark = pytest.mark.e2e  # real dbt builds


@pytest.fixture(scope="module")
def derived(tmp_path_factory):
    home = tmp_path_factory.mktemp("ra_home")
    paths = Paths(home)
    layout = parse_layout(write_full_layout(home / "ra"))
    os.environ["KSM_WAREHOUSE"] = str(paths.warehouse)
    with duckdb.connect(str(paths.warehouse)) as con:
        con.execute("CREATE SCHEMA raw")
        con.execute("CREATE TABLE raw.regions AS SELECT * FROM (VALUES (2022, 'GM0363'), (2023, 'GM0363')) "
                    "AS t(classification_year, gemeente_code)")
        first = refresh_raw_ra(con, layout, YEAR)
        again = refresh_raw_ra(con, layout, YEAR)
    build_records(build_resources(paths)["dbt"], paths, YEAR, "testrun0")
    con = duckdb.connect(str(paths.warehouse), read_only=True)
    yield con, first, again, paths
    con.close()


def rows(con, source: str) -> dict[str, tuple]:
    parsed = derived_extract(con, source, YEAR)
    assert parsed.header == SOURCES[source].column_names  # the extract's own columns, in order
    return {row[0]: tuple(row[1:]) for row in parsed.rows}


def test_tables_are_read_once_and_only_the_files_that_count(derived):
    _, first, again, _ = derived
    assert all(t.fresh for t in first) and not any(t.fresh for t in again)
    chosen = {t.table: t.path.name for t in first}
    assert chosen["opleidingsnrref"] == "OPLEIDINGSNRREFV34.sav"  # V33 is superseded
    assert chosen["gbalevendgeborenen"] == "GBALEVENDGEBORENENMASSA2022TABV1.sav"


def test_perined_records_placed_by_address(derived):
    con = derived[0]
    got = {k: (v[2], v[3], v[10], v[11]) for k, v in rows(con, "perined").items()}
    assert got == EXPECTED_PERINED


def test_cbs_linked_flags_and_breakdowns(derived):
    got = {k: (v[1], v[2], v[3], v[4], v[5], v[6]) for k, v in rows(derived[0], "cbs_linked").items()}
    assert got == EXPECTED_CBS_LINKED


def test_vektis_trajectories_and_long_stay(derived):
    got = {k: (v[1], v[2]) for k, v in rows(derived[0], "vektis").items()}
    assert got == EXPECTED_VEKTIS


def test_youth_protection_needs_measure_and_stay_to_overlap(derived):
    got = {k: (v[1], v[2], v[3]) for k, v in rows(derived[0], "youth_protection").items()}
    assert got == EXPECTED_YOUTH_PROTECTION


def test_placement_counts_for_the_run_summary(derived):
    counts = placement_counts(derived[0])
    assert counts == EXPECTED_PLACEMENT
    assert list(counts) == list(PLACEMENTS)
    assert placement_line(YEAR, counts) == ("2022 births placed (8): 5 by address on 30 June, "
                                            "1 by a later address in the year, 2 not at all (Nederland only)")


def test_a_year_without_its_files_is_one_line(tmp_path):
    layout = parse_layout(write_full_layout(tmp_path / "ra"))
    with duckdb.connect() as con, pytest.raises(RaReadError, match=r"^gbalevendgeborenen: no file for 2023 found by G:/"):
        refresh_raw_ra(con, layout, 2023)


def test_derived_rows_load_like_an_extract(derived, tmp_path):
    """The derived perined rows pass the ingest's own checks: nothing quarantined."""
    from orchestration.assets.ingest.load import load_extract

    source, paths = derived[0], derived[3]
    parsed = derived_extract(source, "perined", YEAR)
    with duckdb.connect(str(tmp_path / "w.duckdb")) as con:
        con.execute(f"ATTACH '{paths.warehouse}' AS home (READ_ONLY)")
        con.execute("CREATE SCHEMA raw")
        con.execute("CREATE TABLE raw.regions AS SELECT * FROM home.raw.regions")
        result = load_extract(con, SOURCES["perined"], YEAR, parsed, tmp_path / "quarantine")
    assert (result.rows_accepted, result.rows_quarantined) == (8, 0)
    assert Path(result.file).name == "ra_perined_2022.derived"


def test_records_of_another_year_are_refused(derived):
    """The RA models hold one build year: the ingest of another year gets one line, not its rows."""
    from orchestration.ra.records import RaRecordsError

    with pytest.raises(RaRecordsError, match=r"^the perined records of 2021 were not derived from the RA tables"):
        derived_extract(derived[0], "perined", 2021)
