"""Which years a run builds, and why: the requested ones plus the released years they change.

A time series is comparable only on one classification, and a year's pooled period and trend
read the earlier years' published figures. So when years are (re)built, released years are
rebuilt too, in year order (a year reads the years before it):

- every released year whose figures are on an older classification than the newest one in the
  inbox ("classification 2024 -> 2026");
- every released year whose pooled period and trend (the latest five years) include a year that
  is (re)built ("pooled period and trend include 2022").

Pure functions; `ksm run` and the inbox sensor call `plan_runs`.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

# the pooled period and the trend both span the latest five years (dbt: pooled_period_length(),
# var trend_points)
WINDOW_YEARS = 5


@dataclass(frozen=True)
class PlannedRun:
    year: int
    reason: str | None = None  # None: asked for; otherwise why a released year is rebuilt


def plan_runs(requested: Iterable[int], released: Mapping[int, int | None], newest_classification: int | None,
              window: int = WINDOW_YEARS) -> list[PlannedRun]:
    """The runs to do, in year order. `released` maps each released year to the classification
    year its latest release is on (None when unknown)."""
    reasons: dict[int, str | None] = {int(y): None for y in requested}
    for year, classification in released.items():
        if year not in reasons and newest_classification is not None and classification is not None \
                and classification < newest_classification:
            reasons[year] = f"classification {classification} -> {newest_classification}"
    # a year built again changes the pooled periods and trends of the years after it; those
    # years' own counts stay the same, so nothing changes further on
    changed = sorted(reasons)
    for year in sorted(released):
        cause = [y for y in changed if y < year <= y + window - 1]
        if year not in reasons and cause:
            reasons[year] = f"pooled period and trend include {cause[-1]}"
    return [PlannedRun(year, reasons[year]) for year in sorted(reasons)]
