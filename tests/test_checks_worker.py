"""The run's checks worker (orchestration/assets/quality/worker.py): a real second process that
validates the suites on the released tiny home's warehouse; the step validates itself when the
worker cannot read the warehouse or has died, and a task's error reaches the step."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap

import duckdb
import pytest
from dagster_duckdb import DuckDBResource

from orchestration.assets.quality import validations, worker
from orchestration.assets.quality.worker import WHERE_STEP, WHERE_WORKER, validated, warm_checks
from tiny_inbox import YEAR

pytestmark = pytest.mark.e2e


def no_such_table(con, name: str):
    """A task that fails the way a broken slice would: DuckDB's own error."""
    return con.execute(f"SELECT * FROM raw.{name}").fetchall()


def process_id(con):
    return os.getpid()


@pytest.fixture
def warehouse(released) -> DuckDBResource:
    return DuckDBResource(database=str(released[0].warehouse))


def test_the_worker_validates_as_the_step_would(warehouse, tmp_path):
    step, where = validated(warehouse, validations.source_suite, "perined", YEAR, 0.25)  # no worker: here
    assert where == WHERE_STEP
    with warm_checks(tmp_path / "worker.log"):
        outcome, where = validated(warehouse, validations.source_suite, "perined", YEAR, 0.25)
        pid, _ = validated(warehouse, process_id)
        mart, _ = validated(warehouse, validations.mart_suite, "indicator_values", YEAR)
    assert where == WHERE_WORKER and pid != os.getpid()
    assert (outcome.rows, outcome.evaluated, outcome.failed) == (step.rows, step.evaluated, step.failed)
    assert [f.expectation for f in outcome.failed] == ["expect_column_values_to_be_in_set(gemeente_code_status)"]
    assert mart.rows > 0 and mart.evaluated
    assert worker._worker is None, "the worker ends with the run"


def test_the_step_validates_itself_while_the_warehouse_is_held_and_after_the_worker_died(released, tmp_path):
    warehouse = DuckDBResource(database=str(tmp_path / "warehouse.duckdb"))
    with duckdb.connect(warehouse.database) as con:
        con.execute(f"ATTACH '{released[0].warehouse}' AS tiny (READ_ONLY)")
        con.execute("CREATE SCHEMA raw")
        con.execute("CREATE TABLE raw.population AS SELECT * FROM tiny.raw.population")
        con.execute("CREATE TABLE raw.ingest_log AS SELECT * FROM tiny.raw.ingest_log")
        con.execute("CREATE TABLE raw.regions AS SELECT * FROM tiny.raw.regions")
    with warm_checks(tmp_path / "worker.log"):
        _, where = validated(warehouse, process_id)
        assert where == WHERE_WORKER
        with warehouse.get_connection():  # the step's process holds it: the worker cannot open it
            outcome, where = validated(warehouse, validations.source_suite, "population", YEAR, 0.25)
        assert where == WHERE_STEP and outcome.rows > 0
        assert validated(warehouse, process_id)[1] == WHERE_WORKER, "held only for that task"

        worker._worker.process.kill()
        worker._worker.process.join()
        outcome, where = validated(warehouse, validations.source_suite, "population", YEAR, 0.25)
        assert where == WHERE_STEP and outcome.rows > 0
        assert validated(warehouse, process_id) == (os.getpid(), WHERE_STEP)


def test_a_task_error_is_raised_in_the_step_with_the_workers_traceback(warehouse, tmp_path):
    with warm_checks(tmp_path / "worker.log"):
        with pytest.raises(duckdb.CatalogException, match="no_such_source") as raised:
            validated(warehouse, no_such_table, "no_such_source")
        assert any("(in the checks worker)" in note and "no_such_table" in note
                   for note in getattr(raised.value, "__notes__", []))
        assert validated(warehouse, process_id)[1] == WHERE_WORKER, "the worker goes on after a task's error"


def test_a_run_with_the_worker_ends_cleanly(released, tmp_path):
    """Nothing of the worker reaches the terminal (GX's progress bars leave a semaphore that a
    worker killed at the end would leave to the resource tracker's warning), and it is gone."""
    script = textwrap.dedent(f"""
        from dagster_duckdb import DuckDBResource
        from orchestration.assets.quality import validations, worker
        warehouse = DuckDBResource(database={str(released[0].warehouse)!r})
        with worker.warm_checks(__import__("pathlib").Path({str(tmp_path / "worker.log")!r})):
            process = worker._worker.process
            outcome, where = worker.validated(warehouse, validations.source_suite, "perined", {YEAR}, 0.25)
        print(where, outcome.rows > 0, process.is_alive())
    """)
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == [WHERE_WORKER, "True", "False"]
    assert done.stderr == ""
