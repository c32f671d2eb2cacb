"""The published file (`published/monitor.duckdb`): which tables it holds, the `releases` table,
and how analysts open it. The release step writes it (assets/release/publish.py); the CLI,
the report, the site, the exports and the docs read it through this module.
"""

from __future__ import annotations

from pathlib import Path

import duckdb

from orchestration.query_bounds import QueryBounds

# The released dbt marts, in the order the data dictionary lists them. Only the first is yearly
# (a release replaces its year's rows); the reference marts are replaced whole.
YEARLY_TABLE = "indicator_values"
REFERENCE_TABLES = ("indicators", "regions", "region_mergers")
RELEASED_MARTS = (YEARLY_TABLE, *REFERENCE_TABLES)

# stands in for DuckDB's secret directory (by default under the user's home): no secrets are
# used with external access off, and the setting would otherwise show the home's path
HIDDEN_DIRECTORY = "unused"

RELEASES_TABLE = (
    "One row per released version of a year: what was released, when, after which checks, "
    "from which inputs, and what changed since the previous version.",
    {
        "year": ("INTEGER", "The released year."),
        "version": ("INTEGER", "Version number within the year (1, 2, ...); a new one only when inputs or marts changed."),
        "released_at": ("TIMESTAMP WITH TIME ZONE", "When the version was released (UTC)."),
        "status": ("VARCHAR", "'released'."),
        "checks_passed": ("INTEGER", "Asset checks that passed in the run that released it."),
        "checks_failed": ("INTEGER", "Blocking checks that failed in that run (0 for a release)."),
        "input_checksums": ("JSON", "JSON: SHA-256 of every source file the version was built from."),
        "changes": ("JSON", "JSON: per indicator the rows added and removed, the values revised, the cells newly withheld or "
                              "published and whether the national figure moved, against the previous version; which inputs changed, "
                              "'classification' when the fixed series moved to a newer one ('2024 -> 2026') and "
                              "'reason' when a released year was built again because of another year."),
        "run_id": ("VARCHAR", "Dagster run that released it."),
        "release_path": ("VARCHAR", "Folder of the immutable release under $KSM_HOME (Parquet files and manifest.json)."),
        "synthetic": ("BOOLEAN", "True when an input of the version is synthetic demo data (`ksm demo-data` marks its files "
                      "with a `.source.json` sidecar); its figures are made up. Versions released before the flag get it from the markers in the inbox when the file is next rebuilt."),
    },
)


def releases_ddl(name: str) -> str:
    """CREATE TABLE for the `releases` table under `name` (e.g. 'ksm_new.main.releases')."""
    _, columns = RELEASES_TABLE
    return f"CREATE TABLE {name} (" + ", ".join(f"{c} {t}" for c, (t, _) in columns.items()) + ")"


def released_queries(year: int) -> dict[str, str]:
    """Every table of one year's release, as queries on the published file."""
    return {YEARLY_TABLE: f"SELECT * FROM {YEARLY_TABLE} WHERE year_to = {int(year)}",
            **{table: f"SELECT * FROM {table}" for table in REFERENCE_TABLES},
            "releases": f"SELECT * FROM releases WHERE year = {int(year)}"}


def open_published(published: Path, bounds: QueryBounds | None = None) -> duckdb.DuckDBPyConnection:
    """The published file as analysts get it (`ksm query`, `ksm report`): read-only, and the
    released marts only: no files, no extensions, no attaching; at most `bounds.memory_limit` of
    memory with nothing spilled to disk; no setting that shows where the machine keeps its
    temporary, home or secret files (`duckdb_settings()` is open to every query). Statements run
    on it within `query_bounds.time_limit` / `run_bounded`."""
    bounds = bounds or QueryBounds.from_env()
    return duckdb.connect(str(published), read_only=True,
                          config={"enable_external_access": False, "autoinstall_known_extensions": False,
                                  "autoload_known_extensions": False, "memory_limit": bounds.memory_limit,
                                  "temp_directory": "", "max_temp_directory_size": "0B", "home_directory": "",
                                  "secret_directory": HIDDEN_DIRECTORY, "lock_configuration": True})
