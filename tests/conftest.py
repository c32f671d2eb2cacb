"""Shared fixtures. dbt is parsed once per session, before anything imports the dbt assets."""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path

import pytest

# Keep every test away from ./var: the session default home is a throwaway folder.
_SESSION_HOME = Path(tempfile.mkdtemp(prefix="ksm-test-home-"))
os.environ["KSM_HOME"] = str(_SESSION_HOME)
os.environ["KSM_WAREHOUSE"] = str(_SESSION_HOME / "warehouse.duckdb")
os.environ["DAGSTER_HOME"] = str(_SESSION_HOME / "dagster")
# The hand-computed tiny year (tiny_inbox) is published on the 2024 classification alone: next to
# 2020's own, Amsterdam minus its 2020 self would be Weesp, so more would be withheld. Tests of
# both classifications (the default) turn it on: test_new_year, test_disclosure's five years.
os.environ["KSM_OWN_CLASSIFICATION"] = "false"


def pytest_configure(config):
    from orchestration.dbt_manifest import ensure_dbt_manifest

    ensure_dbt_manifest()


def pytest_unconfigure(config):
    shutil.rmtree(_SESSION_HOME, ignore_errors=True)


@pytest.fixture
def ksm_home(tmp_path, monkeypatch):
    """A fresh KSM_HOME for one test, with the environment pointing at it."""
    from orchestration.resources import configure_environment
    from orchestration.settings import Paths

    home = tmp_path / "ksm"
    monkeypatch.setenv("KSM_HOME", str(home))
    monkeypatch.setenv("KSM_WAREHOUSE", str(home / "warehouse.duckdb"))
    monkeypatch.setenv("DAGSTER_HOME", str(home / "dagster"))
    return configure_environment(Paths(home))


@pytest.fixture(scope="session")
def dbt_scratch(tmp_path_factory) -> Path:
    """A folder for the dbt invocations that need no data of their own (macros compiled inline,
    dbt's unit tests): target, logs and a throwaway warehouse, one per worker. The first of them
    parses the whole project; the others start from its parse state, as each dbt run of a home
    does (dbt re-parses whatever changed)."""
    return tmp_path_factory.mktemp("dbt_scratch")


@dataclass(frozen=True)
class RecordedRun:
    """A finished run as the instance recorded it (the same whichever worker built the home)."""

    run_id: str
    instance: object

    @property
    def success(self) -> bool:
        from dagster import DagsterRunStatus

        return self.instance.get_run_by_id(self.run_id).status == DagsterRunStatus.SUCCESS

    def get_asset_check_evaluations(self) -> list:
        from dagster import DagsterEventType

        records = self.instance.get_records_for_run(
            self.run_id, of_type=DagsterEventType.ASSET_CHECK_EVALUATION).records
        return [r.event_log_entry.dagster_event.event_specific_data for r in records]


@contextlib.contextmanager
def built_once(tmp_path_factory, name: str):
    """A folder shared by every xdist worker of the session, built by the first that asks.

    Yields (folder, build): `build` is True for the one worker that must fill the folder; the
    others wait on the lock until it is done. A failed build leaves no done-marker, so the next
    worker tries again (and fails the same way, with its own traceback)."""
    root = tmp_path_factory.getbasetemp()
    if os.environ.get("PYTEST_XDIST_WORKER"):
        root = root.parent  # the session's base folder, shared by the workers
    folder = root / f"shared-{name}"
    with open(root / f"shared-{name}.lock", "a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            done = folder / ".done"
            build = not done.exists()
            if build:
                shutil.rmtree(folder, ignore_errors=True)
                folder.mkdir(parents=True)
            yield folder, build
            if build:
                done.touch()
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


@pytest.fixture(scope="session")
def released(tmp_path_factory):
    """The tiny 2020 delivery run twice through Dagster on one persistent instance, once per
    session (not once per worker).

    Returns (paths, [run 1, run 2] as RecordedRun, instance). Tests must not change this home;
    copy it (`copy_home`) to run something on top.
    """
    from dagster import DagsterInstance, materialize
    from dagster._core.instance.ref import InstanceRef

    from orchestration.dbt_invocation import extra_env
    from orchestration.definitions import all_assets
    from orchestration.partitions import register_years
    from orchestration.resources import build_resources, configure_environment
    from orchestration.settings import Paths
    from tiny_inbox import YEAR, write_tiny_inbox

    with built_once(tmp_path_factory, "released") as (folder, build):
        home = folder / "ksm"
        paths = Paths(home)
        if build:
            with extra_env({"KSM_HOME": str(home), "KSM_WAREHOUSE": str(home / "warehouse.duckdb"),
                            "DAGSTER_HOME": str(home / "dagster")}):
                configure_environment(paths)
                write_tiny_inbox(paths.inbox)
                with DagsterInstance.get() as instance:
                    register_years(instance, [YEAR])
                    run_ids = [materialize(all_assets(), partition_key=str(YEAR), resources=build_resources(paths),
                                           instance=instance, raise_on_error=False).run_id for _ in range(2)]
            (folder / "runs.json").write_text(json.dumps(run_ids))
    run_ids = json.loads((folder / "runs.json").read_text())
    instance = DagsterInstance.from_ref(InstanceRef.from_dir(str(paths.dagster_home)))
    return paths, [RecordedRun(run_id, instance) for run_id in run_ids], instance


@pytest.fixture
def copy_home(released, tmp_path, monkeypatch):
    """A private copy of the released home, with the environment pointing at it."""
    import shutil

    from orchestration.settings import Paths

    home = tmp_path / "ksm"
    shutil.copytree(released[0].home, home)
    monkeypatch.setenv("KSM_HOME", str(home))
    monkeypatch.setenv("KSM_WAREHOUSE", str(home / "warehouse.duckdb"))
    monkeypatch.setenv("DAGSTER_HOME", str(home / "dagster"))
    return Paths(home)


PIPELINE_FIXTURES = {"released", "copy_home"}

# `make test` hands whole files to the workers in collection order (--dist loadfile
# --no-loadscope-reorder); xdist's own order, the files with the most tests first, would leave the
# long end-to-end files of one to five tests for the end, where one worker can run them alone.
# So the longest files go first (seconds on one worker of an idle two-core machine, roughly), and
# the many short files fill in at the end. The second needs no `released` home: the other worker
# starts on it while the first builds that home, instead of waiting for it.
LONGEST_FIRST = (
    "test_faults.py",  # 170
    "test_layouts_agree.py",  # 110, builds its own homes
    "test_quality_e2e.py",  # 145
    "test_bad_inputs.py",  # 135
    "test_concurrency.py",  # 120
    "test_ra_bad_inputs.py",  # 105
    "test_bench.py",  # 95
    "test_disclosure.py",  # 80
    "test_new_year.py",  # 75
    "test_editions.py",  # 70
    "test_dbt_macros.py",  # 65
    "test_alerts_e2e.py",  # 55
    "test_site.py",  # 35
    "test_inequality.py",  # 30
    "test_registry.py",  # 25
    "test_browser.py",  # 25
    "test_site_browser.py",  # 20
    "test_ra_records.py",  # 17
    "test_ra_demo_derivation.py",  # 17
    "test_export.py",  # 15
)


def pytest_collection_modifyitems(config, items):
    """A test on a home built by a real run is an end-to-end test (`make test-fast` skips them).
    The longest files first (LONGEST_FIRST), the others after them in their own order."""
    for item in items:
        if PIPELINE_FIXTURES & set(getattr(item, "fixturenames", ())):
            item.add_marker(pytest.mark.e2e)
    rank = {name: i for i, name in enumerate(LONGEST_FIRST)}
    items.sort(key=lambda item: rank.get(item.path.name, len(rank)))  # stable: a file's tests keep their order
