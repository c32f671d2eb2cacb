"""Yearly partitions: one per monitor year, passed to dbt as the build year.

Dynamic partitions, not a fixed list or a time window: a year exists once its extracts are in
the inbox (`ksm run`, `ksm status` and the inbox sensor register it), so a new year is an
ordinary event, and the UI never offers a year that has nothing to build.
"""

from __future__ import annotations

from collections.abc import Iterable

import dagster as dg

YEAR_PARTITIONS = "year"
yearly_partitions = dg.DynamicPartitionsDefinition(name=YEAR_PARTITIONS)


def new_partition_keys(instance: dg.DagsterInstance, years: Iterable[int]) -> list[str]:
    """The keys of `years` the instance does not know yet."""
    known = set(instance.get_dynamic_partitions(YEAR_PARTITIONS))
    return sorted({str(int(y)) for y in years} - known)


def register_years(instance: dg.DagsterInstance, years: Iterable[int]) -> list[str]:
    """Add the years the instance does not know yet as partitions; returns the new keys."""
    new = new_partition_keys(instance, years)
    if new:
        instance.add_dynamic_partitions(YEAR_PARTITIONS, new)
    return new


def dbt_vars_for_partition(partition_key: str, classification_year: int | None = None) -> dict:
    """The --vars of one year's dbt build. Without a classification year dbt uses the newest loaded."""
    year = int(partition_key)
    if str(year) != partition_key.strip():
        raise ValueError(f"partition key {partition_key!r} is not a year")
    dbt_vars: dict = {"year": year}
    if classification_year is not None:
        dbt_vars["classification_year"] = int(classification_year)
    return dbt_vars
