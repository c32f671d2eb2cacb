"""Storing one year's Dagster events: Dagster's SQLite storages as they are (the baseline, one
engine and connection per statement) against `held_connections` (what `ksm run` uses),
alternately, in fresh copies of the same instance.

    export KSM_HOME=$(mktemp -d)
    .venv/bin/ksm demo-data --years 2023-2024 --scale 1 && .venv/bin/ksm run --all
    .venv/bin/python bench/events.py --repeat 3

Takes the newest run of `$KSM_HOME`'s Dagster instance (a whole year: planned events, outputs,
materialisations, check evaluations), and for each repeat and each way copies the instance,
removes that run's events (its own database and its rows in the index) and stores them again
through `handle_new_event`, as the run did. Prints the median wall and CPU seconds of each way
and their ratio; the event count stored each way must be the same.
"""

from __future__ import annotations

import argparse
import contextlib
import shutil
import sqlite3
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))


def fresh_copy(source: Path, workdir: Path, run_id: str) -> Path:
    """A copy of the instance without the run's events (its shard, its mirrored index rows)."""
    home = Path(tempfile.mkdtemp(dir=workdir)) / "dagster"
    shutil.copytree(source, home)
    (home / "history" / "runs" / f"{run_id}.db").unlink()
    with contextlib.closing(sqlite3.connect(home / "history" / "runs" / "index.db")) as index:
        for table in ("asset_check_executions", "event_logs"):
            index.execute(f"delete from {table} where run_id = ?", (run_id,))
        index.commit()
    return home


def store_all(home: Path, entries, held: bool) -> tuple[float, float, int]:
    from dagster import DagsterInstance

    from orchestration.instance_connections import held_connections

    with DagsterInstance.from_config(str(home)) as instance:
        block = held_connections(instance) if held else contextlib.nullcontext()
        wall, cpu = time.perf_counter(), time.process_time()
        with block:
            for entry in entries:
                instance.handle_new_event(entry)
        wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
        stored = len(instance.all_logs(entries[0].run_id))
    return wall, cpu, stored


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()

    from dagster import DagsterInstance

    from orchestration.settings import Paths

    source = Paths.from_env().dagster_home
    if not (source / "history" / "runs.db").is_file():
        print(f"no Dagster instance with runs in {source}: build a year first (see this script's docstring)")
        return 1
    with DagsterInstance.from_config(str(source)) as instance:
        records = instance.get_run_records(limit=1)
        if not records:
            print(f"no runs in {source}: build a year first (see this script's docstring)")
            return 1
        run = records[0].dagster_run
        entries = instance.all_logs(run.run_id)
    print(f"run {run.run_id} ({run.tags.get('dagster/partition', '?')}), {len(entries)} events; "
          f"median of {args.repeat} run(s) each way, alternated")
    found = {False: [], True: []}
    with tempfile.TemporaryDirectory() as workdir:
        for _ in range(args.repeat):
            for held in (False, True):
                found[held].append(store_all(fresh_copy(source, Path(workdir), run.run_id), entries, held))
    counts = {n for runs in found.values() for _, _, n in runs}
    if counts != {len(entries)}:
        print(f"stored event counts differ from the run's {len(entries)}: {sorted(counts)}")
        return 1
    print(f"{'':24}{'wall s':>8}{'CPU s':>8}")
    for held, label in ((False, "Dagster's storages"), (True, "held connections")):
        runs = found[held]
        print(f"{label:24}{statistics.median(w for w, _, _ in runs):8.2f}{statistics.median(c for _, c, _ in runs):8.2f}")
    ratio = [statistics.median(found[False][i][k] for i in range(args.repeat))
             / statistics.median(found[True][i][k] for i in range(args.repeat)) for k in (0, 1)]
    print(f"{'ratio':24}{ratio[0]:8.1f}{ratio[1]:8.1f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
