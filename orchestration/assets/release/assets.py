"""The release asset: runs after the dbt marts and their tests, publishes the year."""


import dagster as dg
from dagster_duckdb import DuckDBResource

from orchestration.partitions import yearly_partitions
from orchestration.progress import report
from orchestration.published import RELEASED_MARTS
from orchestration.resources import WAREHOUSE_POOL, KsmPaths
from orchestration.run_outcome import read_run_outcome

from .publish import REBUILD_REASON_TAG, ReleaseError, publish_year

MART_KEYS = [dg.AssetKey(["marts", name]) for name in RELEASED_MARTS]


@dg.asset(
    key=["release", "published_year"],
    group_name="release",
    kinds={"duckdb", "parquet"},
    partitions_def=yearly_partitions,
    pool=WAREHOUSE_POOL,
    deps=MART_KEYS,
    description="The year's marts in `published/monitor.duckdb` and `releases/YEAR/vN/` "
                "(Parquet and manifest.json). Runs only when the upstream checks passed.",
)
def release(context: dg.AssetExecutionContext, ksm: KsmPaths, warehouse: DuckDBResource):
    year = int(context.partition_key)
    so_far = read_run_outcome(context.instance, context.run.run_id)  # every check of this run is done
    checks = so_far.check_summary()
    if so_far.blocking:
        names = ", ".join(c.name for c in so_far.blocking)
        raise dg.Failure(description=f"{year} not released: blocking checks failed: {names}")
    try:
        with warehouse.get_connection() as con:
            outcome = publish_year(con, ksm.paths, year, context.run.run_id, checks,
                                   reason=context.run.tags.get(REBUILD_REASON_TAG))
    except ReleaseError as exc:
        raise dg.Failure(description=str(exc)) from exc
    if outcome.created:
        report(context, f"{year} released as v{outcome.version} ({outcome.rows:,} rows) -> {outcome.release_dir}")
    else:
        report(context, f"{year} unchanged: inputs and marts equal release v{outcome.version}, no new version")
    return dg.MaterializeResult(metadata={
        "version": outcome.version,
        "new_version": outcome.created,
        "rows": outcome.rows,
        "release_dir": dg.MetadataValue.path(str(outcome.release_dir)),
        "checks_passed": checks["passed"],
        "checks_failed": checks["failed"],
        "checks_warnings": checks["warnings"],
        "changes": dg.MetadataValue.json(outcome.changes),
    })
