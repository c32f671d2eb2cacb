"""Which years a run builds, and why: the requested ones plus the released years they change.

A time series is comparable only on one classification, and a year's pooled period and trend
read the earlier years' published figures. So when years are (re)built, released years are
rebuilt too, in year order (a year reads the years before it):

- every released year whose figures are on an older classification than the newest one in the
  inbox ("classification 2024 -> 2026");
- every released year whose pooled period and trend (the latest five years) include a year that
  is (re)built ("pooled period and trend include 2022").

`plan_runs` is a pure function; `ksm run` and the inbox sensor call it through `plan_for_home`,
which reads what the home holds.
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


def plan_for_home(paths, requested: Iterable[int], available: Iterable[int]) -> tuple[list[PlannedRun], list[str]]:
    """plan_runs on a home: the newest classification in its inbox, the classification of each
    year's latest release. Released years whose extracts left the inbox (not in `available`) cannot
    be rebuilt: the notes say so when they stay on an older classification."""
    from orchestration.alerts.inbox import classification_years
    from orchestration.assets.release.publish import released_classification, released_years

    available = set(available)
    newest = max(classification_years(paths.inbox), default=None)
    released = {y: released_classification(paths, y) for y in released_years(paths)}
    notes = [f"{year} stays on classification {classification}: its extracts are no longer in the inbox"
             for year, classification in sorted(released.items())
             if year not in available and None not in (newest, classification) and classification < newest]
    plan = plan_runs(requested, {y: c for y, c in released.items() if y in available}, newest)
    return plan, notes
