"""The run's checks worker (orchestration/assets/quality/worker.py): a real second process that
validates the suites on the released tiny home's warehouse (read-only: that home is shared); the
step validates itself when the worker cannot read the warehouse or has died, a task's error
reaches the step, and the worker never outlives its run or the process that started it."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import duckdb
import pytest
from dagster_duckdb import DuckDBResource

from orchestration.assets.quality import worker
from faults import process_alive
from orchestration.assets.quality.validations import mart_slice, read_and_validate, source_slice
from orchestration.assets.quality.worker import WHERE_STEP, WHERE_WORKER, validated, warm_checks
from tiny_inbox import YEAR

pytestmark = pytest.mark.e2e


def no_such_table(con, name: str):
    """A reader that fails the way a broken slice would: DuckDB's own error."""
    return con.execute(f"SELECT * FROM raw.{name}").fetchall()


def slow_slice(con, seconds: float):
    """A reader that takes its time (the worker holds the warehouse meanwhile)."""
    time.sleep(seconds)
    return source_slice(con, "population", YEAR, 0.25)


@pytest.fixture
def private_warehouse(released, tmp_path) -> DuckDBResource:
    """The tables the population suite reads, in a warehouse of this test's own."""
    warehouse = DuckDBResource(database=str(tmp_path / "warehouse.duckdb"))
    with duckdb.connect(warehouse.database) as con:
        con.execute(f"ATTACH '{released[0].warehouse}' AS tiny (READ_ONLY)")
        con.execute("CREATE SCHEMA raw")
        for table in ("population", "ingest_log", "regions"):
            con.execute(f"CREATE TABLE raw.{table} AS SELECT * FROM tiny.raw.{table}")
    return warehouse


def test_the_worker_validates_as_the_step_would(released, tmp_path):
    warehouse = DuckDBResource(database=str(released[0].warehouse))
    here = read_and_validate(duckdb.connect(warehouse.database, read_only=True), source_slice, ("perined", YEAR, 0.25))
    with warm_checks(tmp_path / "worker.log"):
        outcome, where = validated(warehouse, source_slice, "perined", YEAR, 0.25)
        mart, mart_where = validated(warehouse, mart_slice, "indicator_values", YEAR)
    assert where == mart_where == WHERE_WORKER
    assert (outcome.rows, outcome.evaluated, outcome.failed) == (here.rows, here.evaluated, here.failed)
    assert [f.expectation for f in outcome.failed] == ["expect_column_values_to_be_in_set(gemeente_code_status)"]
    assert mart.rows > 0 and mart.evaluated
    assert worker._worker is None, "the worker ends with the run"


def test_the_step_validates_itself_while_the_warehouse_is_held_and_after_the_worker_died(private_warehouse, tmp_path):
    warehouse, heard = private_warehouse, []
    _, where = validated(warehouse, source_slice, "population", YEAR, 0.25)
    assert where == WHERE_STEP, "without a worker the step validates"
    with warm_checks(tmp_path / "worker.log"):
        assert validated(warehouse, source_slice, "population", YEAR, 0.25)[1] == WHERE_WORKER
        with warehouse.get_connection():  # the step's process holds it: the worker cannot open it
            outcome, where = validated(warehouse, source_slice, "population", YEAR, 0.25, say=heard.append)
        assert where == WHERE_STEP and outcome.rows > 0
        assert "could not open the warehouse" in heard[0]
        assert validated(warehouse, source_slice, "population", YEAR, 0.25)[1] == WHERE_WORKER, "held for that task only"

        worker._worker.process.kill()
        worker._worker.process.join()
        outcome, where = validated(warehouse, source_slice, "population", YEAR, 0.25, say=heard.append)
        assert where == WHERE_STEP and outcome.rows > 0 and "has ended" in heard[1]
        assert validated(warehouse, source_slice, "population", YEAR, 0.25)[1] == WHERE_STEP


def test_a_task_error_is_raised_in_the_step_with_the_workers_traceback(private_warehouse, tmp_path):
    with warm_checks(tmp_path / "worker.log"):
        with pytest.raises(duckdb.CatalogException, match="no_such_source") as raised:
            validated(private_warehouse, no_such_table, "no_such_source")
        assert any("(in the checks worker)" in note and "no_such_table" in note
                   for note in getattr(raised.value, "__notes__", []))
        assert validated(private_warehouse, source_slice, "population", YEAR, 0.25)[1] == WHERE_WORKER, \
            "the worker goes on after a task's error"


def test_a_run_that_ends_early_does_not_wait_for_the_workers_import(tmp_path):
    started = time.monotonic()
    with warm_checks(tmp_path / "worker.log"):
        process = worker._worker.process
    assert time.monotonic() - started < 1.5 and not process.is_alive()


def _script(body: str, released, tmp_path) -> list[str]:
    return [sys.executable, "-c", textwrap.dedent(f"""
        import sys, pathlib
        sys.path.insert(0, {str(Path(__file__).parent)!r})
        from dagster_duckdb import DuckDBResource
        from orchestration.assets.quality import validations, worker
        warehouse = DuckDBResource(database={str(released[0].warehouse)!r})
        log = pathlib.Path({str(tmp_path / "worker.log")!r})
    """) + textwrap.dedent(body)]


def test_a_run_with_the_worker_ends_cleanly(released, tmp_path):
    """Nothing of the worker reaches the terminal (GX's progress bars leave a semaphore that a
    worker killed at the end would leave to the resource tracker's warning), and it is gone."""
    done = subprocess.run(_script(f"""
        with worker.warm_checks(log):
            process = worker._worker.process
            outcome, where = worker.validated(warehouse, validations.source_slice, "perined", {YEAR}, 0.25)
        print(where, outcome.rows > 0, process.is_alive())
    """, released, tmp_path), capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == [WHERE_WORKER, "True", "False"]
    assert done.stderr == ""


def test_the_worker_ends_when_ksm_is_killed_in_the_middle_of_a_task(released, tmp_path):
    parent = subprocess.Popen(_script(f"""
        import test_checks_worker
        with worker.warm_checks(log):
            print(worker._worker.process.pid, flush=True)
            worker.validated(warehouse, test_checks_worker.slow_slice, 120)
    """, released, tmp_path), stdout=subprocess.PIPE, text=True)
    try:
        pid = int(parent.stdout.readline())
        time.sleep(3)  # the task is under way: the worker holds the warehouse
        assert process_alive(pid)
        parent.send_signal(signal.SIGKILL)
        parent.wait(timeout=30)
        deadline = time.monotonic() + 15
        while process_alive(pid):
            assert time.monotonic() < deadline, "the worker went on without its ksm"
            time.sleep(0.1)
    finally:
        parent.kill()
        with __import__("contextlib").suppress(ProcessLookupError):
            os.kill(pid, signal.SIGKILL)


def test_a_step_interrupted_while_the_worker_validates_ends_the_worker_at_once(private_warehouse, tmp_path):
    """An interrupt (Ctrl-C, Dagster's interruption) in the step while the worker is mid-task:
    the worker is ended at once, not waited for, and the next suite is validated in the step."""

    class Interrupted(Exception):
        pass

    def interrupt(_signum, _frame):
        raise Interrupted

    previous = signal.signal(signal.SIGALRM, interrupt)
    try:
        with warm_checks(tmp_path / "worker.log"):
            process = worker._worker.process
            signal.alarm(3)
            started = time.monotonic()
            with pytest.raises(Interrupted):
                validated(private_warehouse, slow_slice, 60)
            assert time.monotonic() - started < 6 and not process.is_alive(), "not waited for (5 s)"
            assert validated(private_warehouse, source_slice, "population", YEAR, 0.25)[1] == WHERE_STEP
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)
