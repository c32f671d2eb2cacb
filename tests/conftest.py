"""Shared fixtures. dbt is parsed once per session, before anything imports the dbt assets."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import pytest

# Keep every test away from ./var: the session default home is a throwaway folder.
_SESSION_HOME = Path(tempfile.mkdtemp(prefix="ksm-test-home-"))
os.environ["KSM_HOME"] = str(_SESSION_HOME)
os.environ["KSM_WAREHOUSE"] = str(_SESSION_HOME / "warehouse.duckdb")
os.environ["DAGSTER_HOME"] = str(_SESSION_HOME / "dagster")


def pytest_configure(config):
    from orchestration.dbt_manifest import ensure_dbt_manifest

    ensure_dbt_manifest()


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
