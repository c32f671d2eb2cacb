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


def test_the_run_lock_is_seen_while_held_and_not_after(tmp_path):
    from orchestration.run_guard import run_lock, run_lock_held

    assert not run_lock_held(tmp_path)
    with run_lock(tmp_path):
        assert run_lock_held(tmp_path)  # what the inbox sensor asks before it requests runs
    assert not run_lock_held(tmp_path)


def test_the_instance_runs_one_queued_run_at_a_time(ksm_home, monkeypatch):
    from dagster import DagsterInstance

    from orchestration.resources import INSTANCE_YAML, configure_environment

    old = ksm_home.dagster_home / "dagster.yaml"
    old.write_text("# written by ksm: one writer at a time on the warehouse\n"
                   "concurrency:\n  pools:\n    default_limit: 1\n")  # a home from before the run queue
    configure_environment(ksm_home)
    assert old.read_text() == INSTANCE_YAML
    with DagsterInstance.from_config(str(ksm_home.dagster_home)) as instance:
        # what the daemon's run queue reads
        assert instance.get_concurrency_config().run_queue_config.max_concurrent_runs == 1
