"""A second process for the suites of a `ksm run`, warm before the first year's checks.

Importing Great Expectations costs about 2-3 CPU s once per process: most of a rebuilt year's
checks stage, and on the critical path of every `ksm run`. `ksm run` starts this worker first
(`warm_checks`); it imports GX on the other core while `ksm` itself starts up and the first
year is ingested. A check step then hands it a task (`validations.py`) and its arguments, never
a frame (pickling a year's frames costs as much as the import saves): the worker opens the
warehouse read-only, reads the slice, validates it and returns the outcome.

- The worker reads the warehouse only while no one writes it: the checks run in the
  `warehouse` pool after the steps that write it have closed it, and the warm dbt closes it
  after each build. When the worker cannot open it (another process holds it) or has died, the
  step validates in its own process, as it does without a worker (the Dagster UI, the daemon,
  tests that run the job in-process). A task's own error is raised in the step as it would be
  there.
- The worker ends with the run. It also ends when the `ksm` process dies: its end of the pipe
  closes. Its output (GX's warnings, say) goes to `logs/checks-worker.log`, not the terminal.
"""

from __future__ import annotations

import atexit
import contextlib
import multiprocessing
import os
import sys
import threading
import traceback
from collections.abc import Callable
from pathlib import Path
from typing import Any

WHERE_WORKER = "worker"  # the run's warm checks process
WHERE_STEP = "step"  # the check step's own process

_worker: _Worker | None = None


class _Worker:
    def __init__(self, log: Path):
        context = multiprocessing.get_context("spawn")  # a fresh interpreter: no copy of ksm's state
        self.conn, child = context.Pipe()
        self.process = context.Process(target=_serve, args=(child, str(log)), name="ksm-checks", daemon=True)
        self.process.start()
        child.close()
        self.lock = threading.Lock()

    def call(self, database: str, task: Callable, args: tuple):
        with self.lock:
            self.conn.send((database, task, args))
            return self.conn.recv()

    def stop(self) -> None:
        with contextlib.suppress(OSError):
            self.conn.close()  # the worker reads the end of the pipe and leaves
        self.process.join(timeout=5)
        if self.process.is_alive():
            self.process.kill()
            self.process.join()


@contextlib.contextmanager
def warm_checks(log: Path):
    """Run the checks of what happens inside in a warm worker, started now."""
    global _worker
    stop_worker()
    log.parent.mkdir(parents=True, exist_ok=True)
    try:
        _worker = _Worker(log)
    except OSError:  # no process to be had: every step validates itself
        _worker = None
    try:
        yield
    finally:
        stop_worker()


def stop_worker() -> None:
    global _worker
    worker, _worker = _worker, None
    if worker is not None:
        worker.stop()


def validated(warehouse, task: Callable, *args: Any) -> tuple[Any, str]:
    """`task(con, *args)` on a read-only connection in the warm worker, or where there is none
    (or it cannot read the warehouse now) on the step's own connection of `warehouse` (a
    DuckDBResource); returns its result and where it ran (WHERE_WORKER or WHERE_STEP)."""
    global _worker
    worker = _worker
    if worker is not None:
        try:
            status, value = worker.call(warehouse.database, task, args)
        except (EOFError, OSError):  # the worker died: this and every later task run here
            _worker = None
            worker.stop()
        except BaseException:  # interrupted while waiting: its answer would come to the next task
            _worker = None
            worker.stop()
            raise
        else:
            if status == "done":
                return value, WHERE_WORKER
            if status == "failed":
                raise value
            # "unavailable": the warehouse is held by someone; this task runs here
    with warehouse.get_connection() as con:
        return task(con, *args), WHERE_STEP


# --- in the worker ------------------------------------------------------------------------------

def _serve(conn, log: str) -> None:
    with open(log, "ab", buffering=0) as sink:
        os.dup2(sink.fileno(), 1)
        os.dup2(sink.fileno(), 2)
    from orchestration.assets.quality.suites import import_great_expectations

    with contextlib.suppress(Exception):  # a broken install shows in the first task, in the step
        import_great_expectations()
    while True:
        try:
            database, task, args = conn.recv()
        except (EOFError, OSError):  # the run is over, or ksm is gone
            _leave()
        conn.send(_run(database, task, args))


def _leave() -> None:
    """Exit without tearing down the interpreter (GX's modules: most of a second that `ksm`
    would wait), after the exit handlers: multiprocessing's frees the semaphore that GX's
    progress bars create, which the resource tracker would otherwise report as leaked."""
    atexit._run_exitfuncs()
    os._exit(0)


def _run(database: str, task: Callable, args: tuple) -> tuple[str, Any]:
    import duckdb

    try:
        con = duckdb.connect(database, read_only=True)
    except duckdb.Error as exc:
        return "unavailable", str(exc)  # the step validates itself
    try:
        return "done", task(con, *args)
    except Exception as exc:
        detail = traceback.format_exc()
        try:
            exc.add_note(f"(in the checks worker)\n{detail}")
            multiprocessing.reduction.ForkingPickler.dumps(exc)
        except Exception:  # an error that does not pickle: its text
            exc = RuntimeError(f"{type(exc).__name__}: {exc}\n(in the checks worker)\n{detail}")
        return "failed", exc
    finally:
        con.close()
        sys.stdout.flush()
