"""Quality gates as Dagster asset checks, on the year's partition.

- `source_quality_checks`: on each ingest asset `raw/<source>`, the source's suite on the
  year's slice of raw.<source>. Check `quality_suite` (blocking, ERROR) holds the critical
  expectations, `quality_suite_warnings` (WARN, never blocks) the others. A failed blocking
  check stops everything downstream of that source (dbt, the release) in the same run.
- `reference_quality_checks`: on `marts/indicators`, `marts/regions` and `marts/region_mergers`,
  their suites on the whole table (they are rebuilt whole with every year). The regions source
  is loaded whole too (all classification years at once) and validated on load; its suite is the
  one on `marts/regions`, which holds it unchanged plus the parent regions.
- `linkage_checks`: on each source linked to Perined by `kind_id` (`linkage.py`), the share of
  births matched and of orphan rows against a blocking (`linkage`, ERROR) and a warning
  (`linkage_warnings`, WARN) threshold; a progress line gives both shares in every run.
- `mart_quality_checks`: on `marts/indicator_values`, the mart suite (blocking and warning part,
  as above) and the cross-layer reconciliations of `reconcile.py` (blocking). The release
  depends on the marts, so Dagster runs these blocking checks before it, and skips the release
  when one fails.

Every check writes what it found to `$KSM_HOME/quality/<year>/<run_id>/<name>.json` and links
that file in its metadata (`results`), with the number of failed expectations and the first few
of them. The checks run in the `warehouse` pool: they read DuckDB, which has one writer. In a
`ksm run` the suites are validated in the run's checks worker (`worker.py`), which has Great
Expectations imported before the first year's checks; each result says where
(`ksm.validated_in`).
"""

import warnings
from pathlib import Path

import dagster as dg
from dagster_duckdb import DuckDBResource

from orchestration.partitions import yearly_partitions
from orchestration.progress import report
from orchestration.resources import WAREHOUSE_POOL, KsmPaths
from orchestration.run_outcome import ERROR, WARNING, dagster_severity
from orchestration.settings import Paths
from orchestration.sources import YEARLY_SOURCES

from . import linkage, reconcile, validations
from .slices import REFERENCE_MARTS
from .suites import SuiteOutcome, row_count_band_setting, save_json, suite_path
from .worker import validated

SUITE_CHECK = "quality_suite"
WARNINGS_CHECK = "quality_suite_warnings"
LINKAGE_CHECK = "linkage"
LINKAGE_WARNINGS_CHECK = "linkage_warnings"
RECONCILE_CHECKS = {
    "reconcile_national_counts": reconcile.national_counts,
    "reconcile_births_placed_once": reconcile.births_placed_once,
}
MART_KEY = dg.AssetKey(["marts", "indicator_values"])
MART_SUITE = "indicator_values"
# what the mart checks read besides marts.indicator_values (so they run after dbt built it)
MART_CHECK_DEPS = [dg.AssetKey(["raw", "perined"]), dg.AssetKey(["intermediate", "int_births"]),
                   dg.AssetKey(["intermediate", "int_indicator_counts"]), dg.AssetKey(["marts", "regions"]),
                   dg.AssetKey(["marts", "indicators"])]
SHOWN_FAILURES = 5


def quality_dir(paths: Paths, year: int, run_id: str) -> Path:
    """Where one run keeps the results of one year's checks."""
    return paths.home / "quality" / str(year) / run_id


def _check_spec(name: str, asset_key: dg.AssetKey, **kwargs) -> dg.AssetCheckSpec:
    """A check on the year's partition of its asset. (Partitioned checks are a Dagster preview
    feature; the warning it raises at import says nothing a user can act on.)"""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", dg.PreviewWarning)
        return dg.AssetCheckSpec(name, asset=asset_key, partitions_def=yearly_partitions, **kwargs)


def _suite_specs(asset_key: dg.AssetKey, suite: str, additional_deps=()) -> list[dg.AssetCheckSpec]:
    source = f"expectations/{suite}.json"
    return [
        _check_spec(SUITE_CHECK, asset_key, blocking=True, additional_deps=additional_deps,
                    description=f"The critical expectations of {source} on the year's slice; "
                                "a failure blocks the year."),
        _check_spec(WARNINGS_CHECK, asset_key, blocking=False, additional_deps=additional_deps,
                    description=f"The warning expectations of {source} (row-count band, shares, "
                                "plausibility); reported, never blocking."),
    ]


def _suite_results(asset_key: dg.AssetKey, outcome: SuiteOutcome, selected) -> list[dg.AssetCheckResult]:
    results = []
    for check_name, severity in ((SUITE_CHECK, ERROR), (WARNINGS_CHECK, WARNING)):
        if dg.AssetCheckKey(asset_key, check_name) not in selected:
            continue
        failed = outcome.failures(severity)
        metadata = {
            "results": dg.MetadataValue.path(str(outcome.path)),
            "suite": dg.MetadataValue.path(str(suite_path(outcome.suite))),
            "rows": outcome.rows,
            "expectations_evaluated": outcome.evaluated.get(severity, 0),
            "expectations_failed": len(failed),
            "failed_expectations": dg.MetadataValue.json([f.as_dict() for f in failed[:SHOWN_FAILURES]]),
        }
        skipped = [s for s in outcome.skipped if s["severity"] == severity]
        if skipped:
            metadata["skipped"] = dg.MetadataValue.json(skipped)
        results.append(dg.AssetCheckResult(asset_key=asset_key, check_name=check_name, passed=not failed,
                                           severity=dagster_severity(severity), metadata=metadata,
                                           description=outcome.summary(severity)))
    return results


def _year(context) -> int:
    return int(context.partition_key)


def _report_failure(context, year: int, key: dg.AssetKey, check_name: str, passed: bool,
                    severity: dg.AssetCheckSeverity, description: str, path: Path) -> None:
    """One progress line per failed check: FAILED blocks the year, WARNING does not."""
    if passed:
        return
    label = "FAILED" if severity == dg.AssetCheckSeverity.ERROR else "WARNING"
    report(context, f"{year} check {label} {key.to_user_string()}:{check_name}: {description}; results: {path}")


def _validate_suite(context, year: int, key: dg.AssetKey, suite: str, warehouse: DuckDBResource, read, *args,
                    out_dir: Path, selected):
    """Validate one suite on what `read(con, *args)` takes from the warehouse (validations.py; in
    the run's checks worker when there is one), keep its results file, and yield its blocking
    and warning results."""
    outcome, where = validated(warehouse, read, *args, say=lambda line: report(context, f"{year} {line}"))
    outcome.result["ksm"]["validated_in"] = where
    path = outcome.path = save_json(out_dir, suite, outcome.result)
    for result in _suite_results(key, outcome, selected):
        _report_failure(context, year, key, result.check_name, result.passed, result.severity,
                        result.description, path)
        yield result


@dg.multi_asset_check(
    name="source_quality_checks",
    specs=[spec for source in YEARLY_SOURCES for spec in _suite_specs(dg.AssetKey(["raw", source]), source)],
    can_subset=True,
    pool=WAREHOUSE_POOL,
    description="The expectation suites of the sources on the year's slice of raw.<source>.",
)
def source_quality_checks(context: dg.AssetCheckExecutionContext, ksm: KsmPaths, warehouse: DuckDBResource):
    year = _year(context)
    selected = set(context.selected_asset_check_keys)
    out_dir = quality_dir(ksm.paths, year, context.run.run_id)
    for source in YEARLY_SOURCES:
        key = dg.AssetKey(["raw", source])
        if not any(k.asset_key == key for k in selected):
            continue
        yield from _validate_suite(context, year, key, source, warehouse, validations.source_slice, source, year,
                                   row_count_band_setting(source), out_dir=out_dir, selected=selected)
    report(context, f"{year} source checks done ({len(selected)} checks) -> {out_dir}")


def _linkage_specs(source: str) -> list[dg.AssetCheckSpec]:
    key, deps = dg.AssetKey(["raw", source]), [dg.AssetKey(["raw", linkage.linkage_settings(source)["linked_to"]])]
    where = f"expectations/{source}.json (meta.ksm.linkage)"
    return [
        _check_spec(LINKAGE_CHECK, key, blocking=True, additional_deps=deps,
                    description=f"Shares of births matched and of orphan rows within the blocking thresholds "
                                f"of {where}; a failure blocks the year."),
        _check_spec(LINKAGE_WARNINGS_CHECK, key, blocking=False, additional_deps=deps,
                    description=f"Shares of births matched and of orphan rows within the warning thresholds "
                                f"of {where}; reported, never blocking."),
    ]


@dg.multi_asset_check(
    name="linkage_checks",
    specs=[spec for source in linkage.LINKED_SOURCES for spec in _linkage_specs(source)],
    can_subset=True,
    pool=WAREHOUSE_POOL,
    description="How well each linked source joins Perined: births matched and orphan rows.",
)
def linkage_checks(context: dg.AssetCheckExecutionContext, ksm: KsmPaths, warehouse: DuckDBResource):
    year = _year(context)
    selected = set(context.selected_asset_check_keys)
    out_dir = quality_dir(ksm.paths, year, context.run.run_id)
    for source in linkage.LINKED_SOURCES:
        key = dg.AssetKey(["raw", source])
        if not any(k.asset_key == key for k in selected):
            continue
        with warehouse.get_connection() as con:
            found = linkage.measure_linkage(con, source, year)
        path = save_json(out_dir, f"linkage_{source}", found.as_dict())
        report(context, f"linkage {found.summary()}")  # the run summary shows both shares every time
        # the linkage settings name their thresholds 'blocking' and 'warning'
        for name, level, severity in ((LINKAGE_CHECK, "blocking", dagster_severity(ERROR)),
                                      (LINKAGE_WARNINGS_CHECK, "warning", dagster_severity(WARNING))):
            if dg.AssetCheckKey(key, name) not in selected:
                continue
            passed = not found.problems(level)
            _report_failure(context, year, key, name, passed, severity, found.summary(level), path)
            yield dg.AssetCheckResult(
                asset_key=key, check_name=name, passed=passed, severity=severity, description=found.summary(level),
                metadata={"results": dg.MetadataValue.path(str(path)),
                          **{k: v for k, v in (("matched_share", found.matched_share),
                                               ("orphan_share", found.orphan_share)) if v is not None}})


@dg.multi_asset_check(
    name="mart_quality_checks",
    specs=[
        *_suite_specs(MART_KEY, MART_SUITE, additional_deps=MART_CHECK_DEPS),
        *(_check_spec(name, MART_KEY, blocking=True, additional_deps=MART_CHECK_DEPS,
                      description=" ".join((fn.__doc__ or "").split()) or None)
          for name, fn in RECONCILE_CHECKS.items()),
    ],
    can_subset=True,
    pool=WAREHOUSE_POOL,
    description="The mart suite on the year's indicator_values and the reconciliation of the marts "
                "with the raw Perined records.",
)
def mart_quality_checks(context: dg.AssetCheckExecutionContext, ksm: KsmPaths, warehouse: DuckDBResource):
    year = _year(context)
    selected = set(context.selected_asset_check_keys)
    out_dir = quality_dir(ksm.paths, year, context.run.run_id)
    if {dg.AssetCheckKey(MART_KEY, SUITE_CHECK), dg.AssetCheckKey(MART_KEY, WARNINGS_CHECK)} & selected:
        yield from _validate_suite(context, year, MART_KEY, MART_SUITE, warehouse, validations.mart_slice,
                                   MART_SUITE, year, out_dir=out_dir, selected=selected)
    reconciliations = []
    if any(dg.AssetCheckKey(MART_KEY, name) in selected for name in RECONCILE_CHECKS):
        with warehouse.get_connection() as con:
            reconciliations = [(name, fn(con, year)) for name, fn in RECONCILE_CHECKS.items()
                               if dg.AssetCheckKey(MART_KEY, name) in selected]

    for name, found in reconciliations:
        path = save_json(out_dir, name, found.as_dict())
        _report_failure(context, year, MART_KEY, name, found.passed, dg.AssetCheckSeverity.ERROR, found.summary, path)
        yield dg.AssetCheckResult(
            asset_key=MART_KEY, check_name=name, passed=found.passed, severity=dg.AssetCheckSeverity.ERROR,
            description=found.summary,
            metadata={"results": dg.MetadataValue.path(str(path)), "counts": dg.MetadataValue.json(found.rows)},
        )
    report(context, f"{year} mart checks done ({len(selected)} checks) -> {out_dir}")


@dg.multi_asset_check(
    name="reference_quality_checks",
    specs=[spec for mart in REFERENCE_MARTS
           for spec in _suite_specs(dg.AssetKey(["marts", mart]), mart,
                                    additional_deps=[dg.AssetKey(["raw", "regions"])])],
    can_subset=True,
    pool=WAREHOUSE_POOL,
    description="The suites of the reference marts (indicators, regions, region_mergers), which every "
                "release carries whole.",
)
def reference_quality_checks(context: dg.AssetCheckExecutionContext, ksm: KsmPaths, warehouse: DuckDBResource):
    year = _year(context)
    selected = set(context.selected_asset_check_keys)
    out_dir = quality_dir(ksm.paths, year, context.run.run_id)
    marts = [m for m in REFERENCE_MARTS if any(k.asset_key == dg.AssetKey(["marts", m]) for k in selected)]
    for mart in marts:
        yield from _validate_suite(context, year, dg.AssetKey(["marts", mart]), mart, warehouse,
                                   validations.reference_slice, mart, out_dir=out_dir, selected=selected)
    report(context, f"{year} reference mart checks done ({len(selected)} checks) -> {out_dir}")


quality_checks = [source_quality_checks, linkage_checks, mart_quality_checks, reference_quality_checks]
