"""The Dagster code location: every asset, job and resource, assembled in one place."""

from __future__ import annotations

import dagster as dg

from orchestration.assets.ingest import ingest_assets, raw_regions
from orchestration.assets.quality import quality_checks
from orchestration.assets.release import release
from orchestration.assets.transform import dbt_models
from orchestration.resources import build_resources, configure_environment
from orchestration.sensors import sensors

# The quality checks are listed with the assets so that `materialize(ALL_ASSETS, ...)` runs them too.
ALL_ASSETS = [raw_regions, *ingest_assets, dbt_models, *quality_checks, release]

# One year end to end: regions reference, the year's extracts, their quality checks, dbt (models
# and tests), the mart checks, release. Blocking checks run before everything downstream of them.
yearly_build = dg.define_asset_job(
    name="yearly_build",
    selection=dg.AssetSelection.assets(*ALL_ASSETS),
    description="Ingest, build, check and release one monitor year.",
)


def build_definitions(paths=None) -> dg.Definitions:
    paths = configure_environment(paths)
    return dg.Definitions(assets=ALL_ASSETS, jobs=[yearly_build], sensors=sensors, resources=build_resources(paths))


defs = build_definitions()
