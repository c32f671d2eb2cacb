"""How Dagster starts dbt for one year, at the lowest fixed cost per year.

- The build year goes to dbt as the env var KSM_BUILD_YEAR, not as `--vars`: dbt compares the
  vars with those of its last parse and re-parses the whole project when they differ, which
  cost more per year than the largest model. The `build_year()` macro reads the env var only
  at run time, so the parsed project is the same for every year and partial parsing holds.
- dbt also re-parses when the profile differs from the parse it finds, and the profile holds
  the warehouse path, i.e. $KSM_HOME. dagster-dbt starts each invocation from the parse state
  of `dbt_project/target/`, made by whichever home parsed last; so each home keeps the parse
  state of its own last dbt run (`$KSM_HOME/dbt/partial_parse.msgpack`) and hands it to the next
  invocation. dbt checks the state itself (versions, file hashes) and re-parses what changed.
- dagster-dbt asks the dbt executable for its version (`dbt --version`, a full dbt start-up)
  once per run; the executable is this environment's own, so the installed dbt-core package
  answers the same question without a process.
- dagster-dbt also builds a dbt adapter inside this process before each invocation (profile,
  project, every macro: about 2 s a year), used only to fetch row counts or column metadata
  after the build, which these assets never ask for. Without it the events are the same.
"""

from __future__ import annotations

import contextlib
import os
import shutil
from functools import cached_property
from importlib.metadata import version as installed_version

from pathlib import Path

from dagster_dbt import DbtCliResource
from packaging import version

from orchestration.partitions import partition_year
from orchestration.settings import DBT_PROJECT_DIR, Paths

BUILD_YEAR_ENV = "KSM_BUILD_YEAR"
PARTIAL_PARSE = "partial_parse.msgpack"


def parse_state_cache(paths: Paths) -> Path:
    return paths.home / "dbt" / PARTIAL_PARSE


def warm_dbt_args(paths: Paths) -> tuple:
    """What the warm dbt of a `ksm run` (dbt_server.warm_dbt) needs of a home: the project and
    profiles folders, the home's parse state, where it parses to, and its log."""
    return (DBT_PROJECT_DIR, DBT_PROJECT_DIR, parse_state_cache(paths), paths.home / "dbt" / "server",
            paths.home / "logs" / "dbt-server.log")


KEPT_RUN_TARGETS = 10


def invocation_target(paths: Paths, run_id: str, partition_key: str) -> Path:
    """A target folder of its own for one dbt invocation (artifacts never mix), in the home
    (`$KSM_HOME/dbt/runs/`, not the source tree); only the newest KEPT_RUN_TARGETS are kept."""
    runs = paths.home / "dbt" / "runs"
    prune_targets(runs, keep=KEPT_RUN_TARGETS - 1)
    return runs / f"{partition_key}-{run_id[:8]}"


def prune_targets(folder: Path, keep: int) -> None:
    """Remove all but the `keep` newest target folders (a year's dbt artifacts are megabytes)."""
    if not folder.is_dir():
        return
    found = sorted((p for p in folder.iterdir() if p.is_dir()), key=lambda p: p.stat().st_mtime)
    for old in found[:max(0, len(found) - keep)]:
        shutil.rmtree(old, ignore_errors=True)


def seed_parse_state(cache: Path, target: Path) -> None:
    """Put this home's last parse state where the next dbt invocation looks for it
    (dagster-dbt copies the project's own only when none is there yet)."""
    target.mkdir(parents=True, exist_ok=True)
    if cache.exists():
        shutil.copyfile(cache, target / PARTIAL_PARSE)


def keep_parse_state(target: Path, cache: Path) -> None:
    """Keep the parse state dbt wrote in `target` for this home's next invocation."""
    written = target / PARTIAL_PARSE
    if not written.exists():
        return
    cache.parent.mkdir(parents=True, exist_ok=True)
    tmp = cache.with_name(cache.name + ".tmp")
    shutil.copyfile(written, tmp)
    tmp.replace(cache)


def dbt_build_invocation(partition_key: str) -> tuple[list[str], dict]:
    """(dbt arguments, extra env vars) of one year's `dbt build`: the year goes by its one route,
    the env var; dbt puts the year on the newest classification loaded. The dbt unit tests (fixed
    inputs, no warehouse data) run in the test suite, not in every build."""
    return ["build", "--exclude-resource-type", "unit_test"], {BUILD_YEAR_ENV: str(partition_year(partition_key))}


def profile_attachments() -> list[dict]:
    """The databases the dbt profile attaches beside the warehouse (its `attach:` entries)."""
    import yaml

    profiles = yaml.safe_load((DBT_PROJECT_DIR / "profiles.yml").read_text(encoding="utf-8"))
    profile = next(iter(profiles.values()))
    return profile["outputs"][profile["target"]].get("attach", [])


def build_scoped_databases() -> set[str]:
    """The databases the dbt profile attaches in memory (`build_scratch`): a table there lives
    as long as one dbt invocation, so only nodes of the same build can read it."""
    return {entry["alias"] for entry in profile_attachments() if entry.get("path") == ":memory:"}


def work_tables_left_out(built: set[str], checked: set[str], manifest: dict) -> dict[str, list[str]]:
    """The build-scoped tables (`build_scoped_databases`) a selection reads but does not build:
    per selected model its such parents, per model with selected checks (dbt tests) that model
    itself. A dbt build of that selection (a Dagster subset: "Materialize selected", a
    re-execution from a failed step) would find them gone."""
    scoped = build_scoped_databases()
    models = {n["unique_id"]: n for n in manifest["nodes"].values() if n["resource_type"] == "model"}
    left_out = {}
    for node in models.values():
        name = node["name"]
        if name in built:
            missing = sorted(models[p]["name"] for p in node["depends_on"]["nodes"]
                             if p in models and models[p]["database"] in scoped and models[p]["name"] not in built)
            if missing:
                left_out[name] = missing
        elif name in checked and node["database"] in scoped:
            left_out[f"the checks of {name}"] = [name]
    return left_out


@contextlib.contextmanager
def extra_env(values: dict):
    """Set env vars for the block (dagster-dbt copies os.environ when it starts dbt; the tests
    point a whole Dagster run at a home this way), then put the old values back."""
    saved = {k: os.environ.get(k) for k in values}
    os.environ.update(values)
    try:
        yield
    finally:
        for key, old in saved.items():
            if old is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = old


class KsmDbtCliResource(DbtCliResource):
    """DbtCliResource for this environment's dbt, without the `dbt --version` process per run
    and without an in-process dbt adapter per invocation (see the module's docstring)."""

    @cached_property
    def _cli_version(self) -> version.Version:
        return version.parse(installed_version("dbt-core"))

    def _initialize_dbt_core_adapter(self, args):
        return None  # dagster-dbt's own fallback: it streams every event without an adapter
