"""Scales, ticks, colour classes and number formats for the report: small pure functions."""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence

from orchestration.report.i18n import EN, Words

# Sequential blues (light = low, dark = high): colour-blind safe, prints in grey; the lightest
# still stands out from a white page.
SEQUENTIAL = ["#c6dbef", "#9ecae1", "#6baed6", "#3182bd", "#08519c"]
# Fingertips-style comparison colours.
COMPARISON = {"better": "#92d050", "similar": "#ffc000", "worse": "#c00000",
              "higher": "#bed2ff", "lower": "#5555e6"}
SUPPRESSED_FILL = "url(#withheld)"
NO_DATA_FILL = "#ffffff"


def linear(domain: tuple[float, float], target: tuple[float, float]) -> Callable[[float], float]:
    """Map domain linearly onto target; a zero-width domain maps to the target's middle."""
    d0, d1 = domain
    r0, r1 = target
    if d1 == d0:
        return lambda _v: (r0 + r1) / 2
    k = (r1 - r0) / (d1 - d0)
    return lambda v: r0 + (v - d0) * k


def nice_step(span: float, count: int) -> float:
    """A step of 1, 2, 2.5 or 5 x 10^n that cuts span into about count parts."""
    if span <= 0 or count < 1:
        return 1.0
    raw = span / count
    power = 10 ** math.floor(math.log10(raw))
    for factor in (1, 2, 2.5, 5, 10):
        if factor * power >= raw:
            return factor * power
    return 10 * power


def nice_ticks(lo: float, hi: float, count: int = 5) -> list[float]:
    """Round tick values covering [lo, hi] (the first <= lo, the last >= hi)."""
    if hi < lo:
        lo, hi = hi, lo
    if hi == lo:
        pad = abs(lo) * 0.1 or 1.0
        lo, hi = lo - pad, hi + pad
    step = nice_step(hi - lo, count)
    start = math.floor(lo / step + 1e-9) * step
    stop = math.ceil(hi / step - 1e-9) * step
    n = int(round((stop - start) / step))
    return [round(start + i * step, 10) for i in range(n + 1)]


def quantile_breaks(values: Sequence[float], classes: int = 5) -> list[float]:
    """Inner class breaks (at most classes-1, strictly increasing) at the quantiles of values,
    so that each colour class holds about as many gemeenten."""
    data = sorted(v for v in values if v is not None and not math.isnan(v))
    if len(set(data)) < 2 or classes < 2:
        return []
    breaks: list[float] = []
    for i in range(1, classes):
        pos = i * (len(data) - 1) / classes
        lo = int(math.floor(pos))
        hi = min(lo + 1, len(data) - 1)
        q = data[lo] + (data[hi] - data[lo]) * (pos - lo)
        if q > data[0] and (not breaks or q > breaks[-1]) and q <= data[-1]:
            breaks.append(q)
    return breaks


def class_index(value: float, breaks: Sequence[float]) -> int:
    """Class of value: 0 below the first break, len(breaks) at or above the last."""
    return sum(1 for b in breaks if value >= b)


def class_colours(breaks: Sequence[float], palette: Sequence[str] = SEQUENTIAL) -> list[str]:
    """One colour per class, spread over the palette so that few classes still contrast."""
    n = len(breaks) + 1
    if n == 1:
        return [palette[len(palette) // 2]]
    return [palette[round(i * (len(palette) - 1) / (n - 1))] for i in range(n)]


def format_value(value: float | None, unit: str, words: Words = EN) -> str:
    """'14.8%' or '5.9 per 1000' ('14,8%' in Dutch); an empty string for no value (callers say why)."""
    return words.value(value, unit)


def format_interval(lower: float | None, upper: float | None, words: Words = EN) -> str:
    return words.interval(lower, upper)


def format_tick(value: float, words: Words = EN) -> str:
    return words.tick(value)
