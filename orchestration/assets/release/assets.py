"""The release asset: runs after the dbt marts and their tests, publishes the year."""


import dagster as dg
from dagster_duckdb import DuckDBResource

from orchestration.partitions import yearly_partitions
from orchestration.progress import report
from orchestration.resources import WAREHOUSE_POOL, KsmPaths

from .publish import REBUILD_REASON_TAG, ReleaseError, publish_year

MART_KEYS = [dg.AssetKey(["marts", name]) for name in ("indicator_values", "indicators", "regions", "region_mergers")]


def run_check_summary(context) -> dict:
    """Every asset check evaluated in this run so far (dbt tests and the quality checks).

    `failed` counts the failed ERROR-severity checks (each blocks the release), `warnings` the
    failed WARN-severity ones (reported, never blocking); `failed_checks` lists both, with the
    results file of the quality checks.
    """
    records = context.instance.get_records_for_run(
        context.run.run_id, of_type=dg.DagsterEventType.ASSET_CHECK_EVALUATION
    ).records
    results = []
    for record in records:
        evaluation = record.event_log_entry.dagster_event.event_specific_data
        entry = {
            "asset": evaluation.asset_key.to_user_string(),
            "check": evaluation.check_name,
            "passed": bool(evaluation.passed),
            "severity": evaluation.severity.value if evaluation.severity else "ERROR",
        }
        found = evaluation.metadata.get("results")
        if found is not None:
            entry["results"] = str(found.value)
        if evaluation.description:
            entry["description"] = evaluation.description
        results.append(entry)
    failed = [r for r in results if not r["passed"]]
    blocking = [r for r in failed if r["severity"] == "ERROR"]
    return {"passed": len(results) - len(failed), "failed": len(blocking),
            "warnings": len(failed) - len(blocking), "failed_checks": failed}


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
    checks = run_check_summary(context)
    blocking = [c for c in checks["failed_checks"] if c["severity"] == "ERROR"]
    if blocking:
        names = ", ".join(f"{c['asset']}:{c['check']}" for c in blocking)
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
