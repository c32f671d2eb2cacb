"""Shared fixtures. dbt is parsed once per session, before anything imports the dbt assets."""

from __future__ import annotations

import os
import shutil
import tempfile
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
def released(tmp_path_factory):
    """The tiny 2020 delivery run twice through Dagster on one persistent instance.

    Returns (paths, [result of run 1, result of run 2], instance). Tests must not change this
    home; copy it (`copy_home`) to run something on top.
    """
    from dagster import DagsterInstance, materialize

    from orchestration.dbt_invocation import extra_env
    from orchestration.definitions import all_assets
    from orchestration.partitions import register_years
    from orchestration.resources import build_resources, configure_environment
    from orchestration.settings import Paths
    from tiny_inbox import YEAR, write_tiny_inbox

    home = tmp_path_factory.mktemp("released") / "ksm"
    with extra_env({"KSM_HOME": str(home), "KSM_WAREHOUSE": str(home / "warehouse.duckdb"),
                    "DAGSTER_HOME": str(home / "dagster")}):
        paths = configure_environment(Paths(home))
        write_tiny_inbox(paths.inbox)
        instance = DagsterInstance.get()
        register_years(instance, [YEAR])
        results = [materialize(all_assets(), partition_key=str(YEAR), resources=build_resources(paths),
                               instance=instance, raise_on_error=False) for _ in range(2)]
    return paths, results, instance


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
