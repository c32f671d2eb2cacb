"""Funnel-plot limits (99.8%) for the gemeente maps: is a gemeente's figure outside what chance
alone would give around Nederland's value at its population size?

As Fingertips draws its funnel plots: for a proportion the Wilson score limits of Nederland's
proportion at the gemeente's denominator, for a rate Byar's limits of the count expected at
Nederland's rate; outside them the gemeente is better or worse by the indicator's polarity.
"""

from __future__ import annotations

from orchestration.statistics import Z998, byar_interval, wilson_interval


def funnel_limits(nl_value: float, denominator: int, unit: str, multiplier: int) -> tuple[float, float]:
    """The 99.8% limits, in the unit of value, around nl_value at this denominator."""
    if unit == "%":
        lower, upper = wilson_interval(nl_value / multiplier * denominator, denominator, Z998)
        return lower * multiplier, upper * multiplier
    expected = nl_value / multiplier * denominator
    lower, upper = byar_interval(expected, Z998)
    return lower / denominator * multiplier, upper / denominator * multiplier


def funnel_comparison(row: dict, nl_value: float | None, unit: str, multiplier: int, polarity: str) -> str | None:
    """'better', 'similar' or 'worse' ('higher'/'lower' without polarity); None when the row or
    Nederland has no published figure."""
    if nl_value is None or row["suppressed"] or row["value"] is None or not row["denominator"]:
        return None
    lower, upper = funnel_limits(nl_value, row["denominator"], unit, multiplier)
    if lower <= row["value"] <= upper:
        return "similar"
    higher = row["value"] > upper
    if polarity == "low_is_good":
        return "worse" if higher else "better"
    if polarity == "high_is_good":
        return "better" if higher else "worse"
    return "higher" if higher else "lower"
