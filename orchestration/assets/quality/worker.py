"""A second process for the suites of a `ksm run`, warm before the first year's checks.

Importing Great Expectations costs about 2-3 CPU s once per process: most of a rebuilt year's
checks stage, and on the critical path of every `ksm run`. `ksm run` starts this worker first
(`warm_checks`); it imports GX on the other core while `ksm` itself starts up and the first
year is ingested. A check step then hands it a reader (`validations.py`) and its arguments,
never a frame (pickling a year's frames costs as much as the import saves): the worker opens
the warehouse read-only, reads the slice, closes the warehouse, validates the slice and returns
the outcome.

- The worker reads the warehouse only while no one writes it: the checks run in the
  `warehouse` pool after the steps that write it have closed it, and the warm dbt closes it
  after each build. When the worker cannot open it (someone holds it) or has died, the step
  validates itself and says so, as it does without a worker (the Dagster UI, the daemon, tests
  that run the job in-process). A task's own error is raised in the step as it would be there.
- The worker ends with the run, and at once when the `ksm` process that started it dies, even
  in the middle of a task: it must not keep the warehouse's read lock. Ctrl-C is for `ksm`,
  which then ends it. Its output (GX's warnings, say) goes to `logs/checks-worker.log`.
"""

from __future__ import annotations

import atexit
import contextlib
import multiprocessing
import multiprocessing.connection
import os
import pickle
import signal
import sys
import threading
import traceback
from collections.abc import Callable
from multiprocessing.reduction import ForkingPickler
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
        self.used = False

    def call(self, database: str, read: Callable, args: tuple):
        with self.lock:
            self.used = True
            self.conn.send((database, read, args))
            return self.conn.recv()

    def stop(self, at_once: bool = False) -> None:
        with contextlib.suppress(OSError):
            self.conn.close()  # an idle worker reads the end of the pipe and leaves
        if at_once or not self.used:  # mid-task, or still importing GX: nothing worth waiting for
            self.process.kill()
        self.process.join(timeout=5)
        if self.process.is_alive():
            self.process.kill()
            self.process.join()


@contextlib.contextmanager
def warm_checks(log: Path):
    """Validate the suites of what happens inside in a warm worker, started now."""
    global _worker
    stop_worker()
    log.parent.mkdir(parents=True, exist_ok=True)
    try:
        _worker = _Worker(log)
    except Exception:  # no process to be had (or not startable here): every step validates itself
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


def validated(warehouse, read: Callable, *args: Any, say: Callable[[str], None] | None = None):
    """The outcome of validating what `read(con, *args)` takes from `warehouse` (a
    DuckDBResource), and where it ran (WHERE_WORKER or WHERE_STEP): in the warm worker, or where
    there is none or it cannot read the warehouse now, here; `say` hears why not in the worker."""
    from .validations import read_and_validate

    global _worker
    worker = _worker
    if worker is not None:
        try:
            status, value = worker.call(warehouse.database, read, args)
        except (EOFError, OSError):  # the worker died: this and every later suite run here
            _worker = None
            worker.stop()
            status, value = "unavailable", "the checks worker has ended; the run's suites are validated here"
        except BaseException:  # interrupted while waiting: its answer would come to the next task
            _worker = None
            worker.stop(at_once=True)
            raise
        if status == "done":
            return value, WHERE_WORKER
        if status == "failed":
            raise value
        if say:  # "unavailable"
            say(f"checks: validated in the step ({value})")
    return read_and_validate(warehouse.get_connection(), read, args), WHERE_STEP


# --- in the worker ------------------------------------------------------------------------------

def _serve(conn, log: str) -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is for ksm, which then ends this process
    with open(log, "wb", buffering=0) as sink:  # this run's output only, as dbt-server.log
        os.dup2(sink.fileno(), 1)
        os.dup2(sink.fileno(), 2)
    threading.Thread(target=_exit_with_parent, daemon=True).start()
    from orchestration.assets.quality.suites import import_great_expectations

    with contextlib.suppress(Exception):  # a broken install shows in the first task, in the step
        import_great_expectations()
    while True:
        try:
            database, read, args = conn.recv()
        except (EOFError, OSError):  # the run is over
            _leave()
        conn.send(_run(database, read, args))


def _exit_with_parent() -> None:
    """End this process as soon as the ksm process that started it is gone, mid-task too."""
    multiprocessing.connection.wait([multiprocessing.parent_process().sentinel])
    os._exit(1)


def _leave() -> None:
    """Exit without tearing down the interpreter (GX's modules: most of a second that `ksm`
    would wait), after the exit handlers: multiprocessing's frees the semaphore that GX's
    progress bars create, which the resource tracker would otherwise report as leaked."""
    atexit._run_exitfuncs()
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(0)


def _run(database: str, read: Callable, args: tuple) -> tuple[str, Any]:
    import duckdb

    from .validations import read_and_validate

    try:
        con = duckdb.connect(database, read_only=True)
    except duckdb.Error as exc:
        return "unavailable", f"the checks worker could not open the warehouse: {exc}"
    try:  # closed before validating: the lock and DuckDB's buffers are not kept meanwhile
        return "done", read_and_validate(con, read, args)
    except Exception as exc:
        detail = traceback.format_exc()
        try:
            exc.add_note(f"(in the checks worker)\n{detail}")
            pickle.loads(ForkingPickler.dumps(exc))  # both ways: some errors pickle but do not load
        except Exception:  # an error that does not travel: its text
            exc = RuntimeError(f"{type(exc).__name__}: {exc}\n(in the checks worker)\n{detail}")
        return "failed", exc
