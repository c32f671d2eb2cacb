"""Two years released at the same time by two `ksm run` processes while an analyst keeps a
read-only connection open on the published file."""

from __future__ import annotations

import shutil
import subprocess

import duckdb
import pytest

from faults import start_ksm, write_second_year
from orchestration.settings import Paths
from tiny_inbox import YEAR

pytestmark = pytest.mark.e2e
OTHER = YEAR + 1
LOCK_ERRORS = ("Could not set lock", "Conflicting lock", "database is locked", "IO Error")


def test_two_years_at_once_and_an_analyst_keeps_a_consistent_view(released, tmp_path):
    paths = Paths(tmp_path / "ksm")
    shutil.copytree(released[0].home, paths.home)
    write_second_year(paths.inbox, OTHER)

    analyst = duckdb.connect(str(paths.published), read_only=True)
    view = "SELECT (SELECT list(year ORDER BY year) FROM releases), count(*), sum(hash(indicator_values)) " \
           "FROM indicator_values"
    before = analyst.execute(view).fetchone()

    runs = {year: start_ksm(paths.home, "run", "--year", str(year), log=tmp_path / f"run-{year}.log")
            for year in (YEAR, OTHER)}
    try:
        codes = {year: proc.wait(timeout=1500) for year, proc in runs.items()}
    except subprocess.TimeoutExpired:
        for proc in runs.values():
            proc.kill()
        raise
    outputs = {year: (tmp_path / f"run-{year}.log").read_text() for year in runs}
    for year, output in outputs.items():
        assert codes[year] == 0, output
        assert "Traceback" not in output and not any(e in output for e in LOCK_ERRORS), output

    # the analyst's open connection still sees exactly the release it opened, and can query on
    assert analyst.execute(view).fetchone() == before
    analyst.close()
    with duckdb.connect(str(paths.published), read_only=True) as fresh:
        assert fresh.execute("SELECT year, version FROM releases ORDER BY year").fetchall() == [(YEAR, 1), (OTHER, 1)]
        assert fresh.execute("SELECT list(DISTINCT year_to ORDER BY year_to) FROM indicator_values").fetchone()[0] \
            == [YEAR, OTHER]
    assert (paths.releases / str(OTHER) / "v1" / "manifest.json").exists()
