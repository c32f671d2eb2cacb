"""Keeping `ksm run` safe when runs overlap or die.

- One `ksm run` at a time per $KSM_HOME (`run_lock`): a year's steps read tables that another
  year's dbt build replaces (the intermediate models hold one build year), so two runs must not
  interleave their steps. The lock is an flock (a byte lock on Windows: `locking.py`): the kernel
  drops it when its process dies, so a killed run never leaves a stale lock behind. Runs the
  daemon starts (the inbox sensor) are kept to one at a time by the instance's run queue, and the
  sensor waits while `ksm run` holds the lock.
- Runs whose `ksm` process died (SIGKILL, power cut) stay STARTED on the Dagster instance and keep
  their slot of the `warehouse` pool: the next run would wait for that slot forever. Every `ksm`
  run is tagged with its pid, host and process start time; `recover_interrupted_runs` marks those
  whose process is gone as failed and gives their slots back. Runs started elsewhere (the Dagster
  UI) are left to the Dagster daemon's run monitoring.
"""

from __future__ import annotations

import contextlib
import os
import socket
import sys
from pathlib import Path

from orchestration.locking import lock as lock_file
from orchestration.locking import unlock as unlock_file

PID_TAG = "ksm/pid"
HOST_TAG = "ksm/host"
START_TAG = "ksm/process_start"
RUN_LOCK_FILE = ".ksm-run.lock"


def _process_start(pid: int) -> str:
    """The kernel's start time of a process ('' where /proc is not available): tells a pid that
    was reused by another process apart from the one that started the run."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return ""
    return stat.rsplit(")", 1)[1].split()[19]


def run_tags() -> dict[str, str]:
    pid = os.getpid()
    return {PID_TAG: str(pid), HOST_TAG: socket.gethostname(), START_TAG: _process_start(pid)}


def _pid_exists(pid: int) -> bool:
    if os.name == "nt":  # there os.kill(pid, 0) would terminate the process
        import psutil  # installed with dagster on Windows

        return psutil.pid_exists(pid)
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        pass  # exists, owned by someone else
    return True


def process_alive(tags: dict) -> bool:
    """Whether the process that started a run (per its tags) still runs, as far as this host can
    tell; a run from another host is assumed alive."""
    if tags.get(HOST_TAG) != socket.gethostname():
        return True
    try:
        pid = int(tags[PID_TAG])
    except (KeyError, ValueError):
        return True
    if not _pid_exists(pid):
        return False
    started = tags.get(START_TAG, "")
    return not started or _process_start(pid) in ("", started)


def recover_interrupted_runs(instance, pool: str) -> list[str]:
    """Mark `ksm` runs whose process died as failed and free every pool slot held by a finished run.
    Returns one line per run recovered."""
    from dagster import DagsterRunStatus, RunsFilter

    unfinished = [DagsterRunStatus.STARTED, DagsterRunStatus.STARTING, DagsterRunStatus.NOT_STARTED,
                  DagsterRunStatus.CANCELING]
    recovered = []
    for record in instance.get_run_records(filters=RunsFilter(statuses=unfinished)):
        run = record.dagster_run
        if PID_TAG not in run.tags or process_alive(run.tags):
            continue
        year = run.tags.get("dagster/partition", "?")
        instance.report_run_failed(
            run, message=f"the ksm process (pid {run.tags[PID_TAG]}) ended without finishing this run; "
                         "marked failed by the next ksm run")
        recovered.append(f"run {run.run_id} for {year}: its process (pid {run.tags[PID_TAG]}) is gone, marked failed")
    storage = instance.event_log_storage
    if storage.supports_global_concurrency_limits:
        info = storage.get_concurrency_info(pool)
        holders = {s.run_id for s in info.claimed_slots} | {s.run_id for s in info.pending_steps}
        for run_id in sorted(holders):
            run = instance.get_run_by_id(run_id)
            if run is None or run.is_finished:
                storage.free_concurrency_slots_for_run(run_id)
    return recovered


def run_lock_held(home: Path) -> bool:
    """Whether a `ksm run` holds the home's run lock now (without waiting for it)."""
    lock = home / RUN_LOCK_FILE
    if not lock.exists():
        return False
    with open(lock, "a+") as handle:
        try:
            lock_file(handle, wait=False)
        except BlockingIOError:
            return True
        unlock_file(handle)
        return False


@contextlib.contextmanager
def run_lock(home: Path):
    """Hold the home's run lock; say so when another `ksm run` has it and wait for it."""
    home.mkdir(parents=True, exist_ok=True)
    with open(home / RUN_LOCK_FILE, "a+") as handle:
        try:
            lock_file(handle, wait=False)
        except BlockingIOError:
            handle.seek(0)
            holder = handle.read().strip() or "?"
            print(f"waiting for another ksm run on this home to finish (pid {holder}) ...", flush=True,
                  file=sys.stdout)
            lock_file(handle)
        handle.seek(0)
        handle.truncate()
        handle.write(str(os.getpid()))
        handle.flush()
        try:
            yield
        finally:
            unlock_file(handle)
