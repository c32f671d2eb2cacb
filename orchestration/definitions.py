"""The Dagster code location: every asset, job and resource, assembled in one place.

Nothing happens at import: Dagster calls `defs` when it loads the code location, and `ksm` and
the tests call `build_definitions` / `all_assets`. Building them reads dbt's manifest (parsing
the project first when it changed) and points the environment at one KSM_HOME.
"""

from __future__ import annotations

import dagster as dg

JOB_NAME = "yearly_build"


def all_assets() -> list:
    """Every asset, with the quality checks listed beside them so that `materialize(all_assets())`
    runs them too."""
    from orchestration.assets.ingest import ingest_assets, raw_regions
    from orchestration.assets.quality.checks import quality_checks
    from orchestration.assets.release import release
    from orchestration.assets.transform import dbt_models

    return [raw_regions, *ingest_assets, dbt_models(), *quality_checks, release]


def yearly_build(assets: list, ra_layout: bool = False) -> dg.UnresolvedAssetJobDefinition:
    """One year end to end: regions reference, the year's extracts (in the RA layout first the
    RA tables and the records derived from them), their quality checks, dbt (models and tests),
    the mart checks, release. Blocking checks run before everything downstream of them. A home
    in the extract layout leaves the RA step out: a step is a process, with nothing to do."""
    from orchestration.assets.ingest import raw_ra_records

    selection = dg.AssetSelection.assets(*assets)
    if not ra_layout:
        selection = selection - dg.AssetSelection.assets(raw_ra_records)
    return dg.define_asset_job(name=JOB_NAME, selection=selection,
                               description="Ingest, build, check and release one monitor year.")


def build_definitions(paths=None) -> dg.Definitions:
    from orchestration.ra.records import uses_ra_layout
    from orchestration.resources import build_resources, configure_environment
    from orchestration.sensors import sensors

    paths = configure_environment(paths)
    assets = all_assets()
    return dg.Definitions(assets=assets, jobs=[yearly_build(assets, uses_ra_layout(paths))], sensors=sensors,
                          resources=build_resources(paths))


@dg.definitions
def defs() -> dg.Definitions:
    return build_definitions()
