"""Resources: the warehouse (one DuckDB file, one writer at a time) and the dbt CLI.

Dagster and dbt's profiles.yml read the same path, from $KSM_WAREHOUSE, set by `ksm` from
$KSM_HOME. Every asset that writes the warehouse runs in the `warehouse` pool (limit 1).
"""

from __future__ import annotations

import os
from pathlib import Path

import dagster as dg
from dagster_dbt import DbtProject
from dagster_duckdb import DuckDBResource

from orchestration.dbt_invocation import KsmDbtCliResource
from orchestration.settings import DBT_PROJECT_DIR, Paths, venv_program

WAREHOUSE_POOL = "warehouse"


INSTANCE_YAML_MARKER = "# written by ksm"
# One step on the warehouse at a time (DuckDB has one writer), and one queued run at a time:
# a year's steps read intermediate tables that another year's dbt build replaces.
INSTANCE_YAML = (
    f"{INSTANCE_YAML_MARKER}: one writer at a time on the warehouse, one run at a time\n"
    "concurrency:\n  pools:\n    default_limit: 1\n  runs:\n    max_concurrent_runs: 1\n"
    "telemetry:\n  enabled: false\n"
)


def configure_environment(paths: Paths | None = None) -> Paths:
    """Point every component at one KSM_HOME: warehouse path for dbt, Dagster's instance folder."""
    paths = (paths or Paths.from_env()).ensure()
    os.environ["KSM_HOME"] = str(paths.home)
    os.environ["KSM_WAREHOUSE"] = str(paths.warehouse)
    os.environ.setdefault("DAGSTER_HOME", str(paths.dagster_home))
    instance_yaml = paths.dagster_home / "dagster.yaml"
    # ours to rewrite while it starts with our marker (older homes lack the run queue)
    if not instance_yaml.exists() or (instance_yaml.read_text().startswith(INSTANCE_YAML_MARKER)
                                      and instance_yaml.read_text() != INSTANCE_YAML):
        instance_yaml.write_text(INSTANCE_YAML)
    return paths


class KsmPaths(dg.ConfigurableResource):
    """$KSM_HOME as a resource, so tests can point a run at a folder under tmp_path."""

    home: str

    @property
    def paths(self) -> Paths:
        return Paths(Path(self.home))


dbt_project = DbtProject(project_dir=DBT_PROJECT_DIR, profiles_dir=DBT_PROJECT_DIR)


def build_resources(paths: Paths) -> dict:
    return {
        "ksm": KsmPaths(home=str(paths.home)),
        "warehouse": DuckDBResource(database=str(paths.warehouse)),
        # the dbt of this environment, whatever PATH says, through ksm-dbt (dbt_server.py)
        "dbt": KsmDbtCliResource(project_dir=dbt_project, profiles_dir=str(DBT_PROJECT_DIR),
                                 dbt_executable=str(venv_program("ksm-dbt"))),
    }
