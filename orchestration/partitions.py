"""Yearly partitions: one per monitor year, passed to dbt as a var."""

from __future__ import annotations

import dagster as dg

from orchestration.settings import YEARS

yearly_partitions = dg.StaticPartitionsDefinition([str(y) for y in YEARS])


def dbt_vars_for_partition(partition_key: str, classification_year: int | None = None) -> dict:
    """The --vars of one year's dbt build. Without a classification year dbt uses the newest loaded."""
    year = int(partition_key)
    if str(year) != partition_key.strip():
        raise ValueError(f"partition key {partition_key!r} is not a year")
    dbt_vars: dict = {"year": year}
    if classification_year is not None:
        dbt_vars["classification_year"] = int(classification_year)
    return dbt_vars
