"""dbt models as assets; dbt tests become asset checks (error severity blocks the release)."""


import functools
import json
import subprocess
from collections.abc import Mapping
from typing import Any

import dagster as dg
from dagster_dbt import DagsterDbtTranslator, DagsterDbtTranslatorSettings, DbtCliResource, dbt_assets

from orchestration.dbt_invocation import (dbt_build_invocation, extra_env, invocation_target, keep_parse_state,
                                          parse_state_cache, seed_parse_state, work_tables_left_out)
from orchestration.dbt_manifest import ensure_dbt_manifest
from orchestration.dbt_server import stop_warm_dbt
from orchestration.faults import pause_point
from orchestration.partitions import yearly_partitions
from orchestration.progress import report
from orchestration.ra.records import RA_LAYOUT_TAG
from orchestration.resources import WAREHOUSE_POOL, KsmPaths, dbt_project


def stop_process(process, grace: float = 10.0) -> None:
    """Terminate a child process, and kill it when it does not stop within `grace` seconds."""
    if process.poll() is not None:
        return
    process.terminate()
    try:
        process.wait(timeout=grace)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


class KsmDbtTranslator(DagsterDbtTranslator):
    """Models keyed by schema and name (marts/indicator_values); sources keep raw/<table>,
    which is exactly the key of the ingest asset that loads them."""

    def get_asset_key(self, dbt_resource_props: Mapping[str, Any]) -> dg.AssetKey:
        if dbt_resource_props["resource_type"] in ("model", "seed", "snapshot"):
            return dg.AssetKey([dbt_resource_props["schema"], dbt_resource_props["name"]])
        return super().get_asset_key(dbt_resource_props)

    def get_group_name(self, dbt_resource_props: Mapping[str, Any]) -> str | None:
        if dbt_resource_props["resource_type"] in ("model", "seed", "snapshot"):
            return "transform"
        return super().get_group_name(dbt_resource_props)


translator = KsmDbtTranslator(settings=DagsterDbtTranslatorSettings(enable_asset_checks=True))


@functools.cache
def dbt_models() -> dg.AssetsDefinition:
    """The dbt project as assets, one yearly `dbt build` per partition. Built on first use, not at
    import: it reads dbt's manifest, which is parsed first when the project changed."""
    ensure_dbt_manifest()
    return dbt_assets(
        name="dbt_models",
        manifest=dbt_project.manifest_path,
        project=dbt_project,
        partitions_def=yearly_partitions,
        exclude=f"tag:{RA_LAYOUT_TAG}",  # built by the RA ingest, not by the yearly build
        dagster_dbt_translator=translator,
        pool=WAREHOUSE_POOL,
    )(build_year)


def refuse_subsets_without_work_tables(context: dg.AssetExecutionContext) -> None:
    """A subset of the dbt assets must build the work tables its models read: they live only for
    the length of one dbt build (build_scratch), so without them dbt would fail on a missing
    table, mid-build and without saying why."""
    if not context.is_subset:
        return
    built = {key.path[-1] for key in context.selected_asset_keys}
    checked = {key.asset_key.path[-1] for key in context.selected_asset_check_keys}
    manifest = json.loads(dbt_project.manifest_path.read_text(encoding="utf-8"))
    left_out = work_tables_left_out(built, checked, manifest)
    if left_out:
        needs = "; ".join(f"{model} reads {', '.join(parents)}" for model, parents in sorted(left_out.items()))
        raise dg.Failure(description=(
            f"this selection of the dbt models for {context.partition_key} leaves out work tables that "
            f"live only for the length of one dbt build ({needs}): materialize the whole dbt step of "
            f"the year (ksm run --year {context.partition_key}), or add those models to the selection"))


def build_year(context: dg.AssetExecutionContext, dbt: DbtCliResource, ksm: KsmPaths):
    refuse_subsets_without_work_tables(context)
    args, env = dbt_build_invocation(context.partition_key)
    report(context, f"{context.partition_key} dbt {' '.join(args)} ({' '.join(f'{k}={v}' for k, v in env.items())})")
    # the year as an env var and this home's own parse state: dbt need not re-parse the project
    target = invocation_target(ksm.paths, context.run.run_id, context.partition_key)
    cache = parse_state_cache(ksm.paths)
    seed_parse_state(cache, target)
    with extra_env(env):
        invocation = dbt.cli(args, context=context, raise_on_error=False, target_path=target)
    built, passed, failed = 0, 0, []
    try:
        for event in invocation.stream():
            if isinstance(event, (dg.Output, dg.AssetMaterialization)):
                built += 1
                if built == 1:
                    pause_point("dbt")  # tests kill the run here, with dbt still building
            elif isinstance(event, dg.AssetCheckResult):
                if event.passed:
                    passed += 1
                else:
                    failed.append(event.check_name)
                    report(context, f"{context.partition_key} dbt test FAILED: {event.check_name}")
            yield event
    except BaseException:
        # an interrupted step (Ctrl-C, a signal, an error here) must not leave dbt running: it
        # holds the warehouse's write lock and every later step or run would fail on it; nor
        # the warm dbt that may be running the build for it
        stop_process(invocation.process)
        stop_warm_dbt()
        raise
    keep_parse_state(target, cache)
    report(context, f"{context.partition_key} dbt: {built} models built, {passed} tests passed, "
                    f"{len(failed)} failed")
    if not invocation.is_successful():
        detail = f" (failed tests: {', '.join(failed)})" if failed else ""
        raise dg.Failure(
            description=f"dbt build for {context.partition_key} failed{detail}; "
                        f"see the dbt log in {invocation.target_path}",
        )
