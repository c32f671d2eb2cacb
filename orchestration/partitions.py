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


def partition_year(partition_key: str) -> int:
    """The year of a partition key ('2023' -> 2023); ValueError for anything else."""
    if not (partition_key.strip().isdigit() and len(partition_key.strip()) == 4):
        raise ValueError(f"partition key {partition_key!r} is not a year")
    return int(partition_key)
