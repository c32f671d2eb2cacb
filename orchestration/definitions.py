"""The Dagster code location: every asset, job and resource, assembled in one place."""

from __future__ import annotations

import dagster as dg

from orchestration.assets.ingest import ingest_assets, raw_regions
from orchestration.assets.release import release
from orchestration.assets.transform import dbt_models
from orchestration.partitions import yearly_partitions
from orchestration.resources import build_resources, configure_environment

ALL_ASSETS = [raw_regions, *ingest_assets, dbt_models, release]

# One year end to end: regions reference, the year's extracts, dbt (models and tests), release.
yearly_build = dg.define_asset_job(
    name="yearly_build",
    selection=dg.AssetSelection.assets(*ALL_ASSETS),
    partitions_def=yearly_partitions,
    description="Ingest, build, check and release one monitor year.",
)


def build_definitions(paths=None) -> dg.Definitions:
    paths = configure_environment(paths)
    return dg.Definitions(assets=ALL_ASSETS, jobs=[yearly_build], resources=build_resources(paths))


defs = build_definitions()
