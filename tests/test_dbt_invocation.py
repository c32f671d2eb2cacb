"""How Dagster starts dbt: the year as an env var, a parse state per home."""

from __future__ import annotations

import os
from pathlib import Path

from orchestration.dbt_invocation import (BUILD_YEAR_ENV, PARTIAL_PARSE, dbt_build_invocation, extra_env,
                                          keep_parse_state, seed_parse_state)


def test_the_year_goes_by_env_only_and_unit_tests_stay_out_of_builds():
    assert dbt_build_invocation("2023") == (["build", "--exclude-resource-type", "unit_test"], {BUILD_YEAR_ENV: "2023"})


def test_extra_env_is_put_back(monkeypatch):
    monkeypatch.setenv("KSM_TEST_KEPT", "old")
    monkeypatch.delenv("KSM_TEST_NEW", raising=False)
    with extra_env({"KSM_TEST_KEPT": "new", "KSM_TEST_NEW": "1"}):
        assert os.environ["KSM_TEST_KEPT"] == "new" and os.environ["KSM_TEST_NEW"] == "1"
    assert os.environ["KSM_TEST_KEPT"] == "old" and "KSM_TEST_NEW" not in os.environ


def test_parse_state_goes_round_per_home(tmp_path):
    cache, first, second = tmp_path / "home" / "dbt" / PARTIAL_PARSE, tmp_path / "t1", tmp_path / "t2"
    seed_parse_state(cache, first)  # nothing kept yet: dbt parses
    assert first.is_dir() and not (first / PARTIAL_PARSE).exists()
    (first / PARTIAL_PARSE).write_bytes(b"state of run 1")
    keep_parse_state(first, cache)
    seed_parse_state(cache, second)
    assert (second / PARTIAL_PARSE).read_bytes() == b"state of run 1"


def test_dbt_targets_live_in_the_home_and_only_the_newest_are_kept(tmp_path):
    import time

    from orchestration.dbt_invocation import KEPT_RUN_TARGETS, invocation_target
    from orchestration.settings import DBT_PROJECT_DIR, Paths

    paths = Paths(tmp_path / "home")
    made = []
    for n in range(KEPT_RUN_TARGETS + 3):
        target = invocation_target(paths, f"{n:05d}run", "2024")
        assert target.parent == paths.home / "dbt" / "runs" and not target.is_relative_to(DBT_PROJECT_DIR)
        target.mkdir(parents=True)
        os_time = time.time() - 1000 + n  # oldest first, whatever the clock's resolution
        os.utime(target, (os_time, os_time))
        made.append(target)
    invocation_target(paths, "next0000", "2025")
    kept = sorted(p.name for p in (paths.home / "dbt" / "runs").iterdir())
    assert kept == sorted(p.name for p in made[-(KEPT_RUN_TARGETS - 1):])


def test_no_in_process_dbt_adapter_and_no_version_process():
    """dagster-dbt still builds its adapter and reads the version through the two methods our
    resource replaces (an upgrade that renames them would bring the cost back unnoticed)."""
    import inspect
    from importlib.metadata import version as installed_version

    from dagster_dbt import DbtCliResource

    from orchestration.dbt_invocation import KsmDbtCliResource
    from orchestration.settings import venv_program

    calls = inspect.getsource(DbtCliResource.cli)
    assert "self._initialize_dbt_core_adapter(" in calls and "self._cli_version" in calls
    resource = KsmDbtCliResource(project_dir=str(Path(__file__).parent.parent / "dbt_project"),
                                 dbt_executable=str(venv_program("dbt")))
    assert resource._initialize_dbt_core_adapter(["build"]) is None
    assert str(resource._cli_version) == installed_version("dbt-core")


def test_dbt_reads_back_its_own_parse_state(dbt_scratch):
    """The next dbt invocation starts from the parse state the last one wrote. dbt silently
    parses the whole project again (seconds per year) when it cannot load that state, e.g. a
    unit-test override with number keys, which its msgpack reader refuses."""
    import json

    from test_dbt_macros import run_dbt

    folder = dbt_scratch / "parse_state"
    for attempt in range(2):
        done = run_dbt(folder, "parse", "--log-format", "json", "--log-level", "debug")
        assert done.returncode == 0, done.stdout[-3000:]
    names = {json.loads(line)["info"]["name"] for line in done.stdout.splitlines() if line.startswith("{")}
    assert "ParsedFileLoadFailed" not in names
    assert "PartialParsingSkipParsing" in names or "PartialParsingEnabled" in names, sorted(names)
