"""Reference implementations of the monitor's trend and inequality statistics, in plain Python:
the independent versions the tests compare the SQL with (`dbt_project/macros/trend.sql`,
`inequality.sql`). Test oracles only; the intervals they build on are production code
(`orchestration/statistics.py`).

- the recent trend over the latest five yearly points, as Fingertips computes it today: a
  weighted least-squares regression of the value on the year, weights 1/SE^2 with SE taken from
  the 95% interval ((upper - lower) / (2 z)); the statistic (slope / SE(slope))^2 is significant
  above the 99.8% quantile of chi-square with 1 degree of freedom (9.5495), and only when every
  fit that leaves out one point has a slope of the same sign (`recent_trend`);
- the older Fingertips test, the chi-square test for trend in proportions on the counts
  (Cochran-Armitage), for the census shares of gemeenten, which have no interval
  (`trend_proportion`);
- the slope index of inequality (SII) across ordered quantiles (PHEindicatormethods' `phe_sii`,
  value_type 0, no transformation), with the normal interval its simulation converges to.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

from orchestration.statistics import Z95

TREND_CRITICAL_VALUE = 9.5495  # chi-square, 1 df, 99.8% (= 3.090232 ** 2)

TREND_LABELS = (
    "increasing_and_getting_worse",
    "increasing_and_getting_better",
    "decreasing_and_getting_worse",
    "decreasing_and_getting_better",
    "increasing",
    "decreasing",
    "no_significant_change",
    "cannot_be_calculated",
)


def _check_series(*series: Sequence[float]) -> None:
    lengths = {len(s) for s in series}
    if len(lengths) != 1 or lengths.pop() < 2:
        raise ValueError("series must have equal lengths of at least 2")


def trend_proportion(numerators: Sequence[float], denominators: Sequence[float],
                     times: Sequence[float]) -> tuple[float, float]:
    """Chi-square test for trend in proportions (Cochran-Armitage; R's prop.trend.test).

    Returns (slope, statistic): the slope of the proportion per time unit from the regression
    weighted by the denominators, and the 1-df chi-square statistic
        slope^2 * Sxx / (p(1-p)),  Sxx = sum(n t^2) - (sum(n t))^2 / N,  p = sum(O) / N.
    The statistic is NaN when every proportion is 0 or 1 (p(1-p) = 0).
    """
    _check_series(numerators, denominators, times)
    total = sum(denominators)
    events = sum(numerators)
    s_t = sum(n * t for n, t in zip(denominators, times))
    s_tt = sum(n * t * t for n, t in zip(denominators, times))
    s_ot = sum(o * t for o, t in zip(numerators, times))
    sxx = s_tt - s_t * s_t / total
    slope = (s_ot - events * s_t / total) / sxx
    p = events / total
    if p <= 0 or p >= 1:
        return slope, math.nan
    return slope, slope * slope * sxx / (p * (1 - p))


def trend_weight(lower95: float | None, upper95: float | None, z: float = Z95) -> float | None:
    """1 / SE^2 with SE = (upper - lower) / (2 z); None when the interval is missing or has no width."""
    if lower95 is None or upper95 is None or not upper95 > lower95:
        return None
    return (2 * z / (upper95 - lower95)) ** 2


def trend_weighted(values: Sequence[float], lowers95: Sequence[float], uppers95: Sequence[float],
                   times: Sequence[float], z: float = Z95) -> tuple[float, float]:
    """Inverse-variance weighted regression of values on times, the variances known.

    Each point is weighted by w = 1/SE^2 with SE = (upper - lower) / (2 z); the slope is the
    weighted least-squares slope and the statistic (slope / SE(slope))^2 with
        SE(slope)^2 = 1 / (sum(w t^2) - (sum(w t))^2 / sum(w)),
    the variance of the slope when the points' variances are known (no rescaling by the
    residual variance, as a general weighted regression would do).
    """
    _check_series(values, lowers95, uppers95, times)
    weights = [(2 * z / (u - lo)) ** 2 for lo, u in zip(lowers95, uppers95)]
    s_w = sum(weights)
    s_wt = sum(w * t for w, t in zip(weights, times))
    s_wtt = sum(w * t * t for w, t in zip(weights, times))
    s_wy = sum(w * y for w, y in zip(weights, values))
    s_wty = sum(w * t * y for w, t, y in zip(weights, times, values))
    det = s_w * s_wtt - s_wt * s_wt
    slope = (s_w * s_wty - s_wt * s_wy) / det
    return slope, slope * slope * det / s_w


def leave_one_out_slopes(values: Sequence[float], lowers95: Sequence[float], uppers95: Sequence[float],
                         times: Sequence[float], z: float = Z95) -> list[float]:
    """The weighted slope of the series without point i, for every i (each refitted)."""
    _check_series(values, lowers95, uppers95, times)
    slopes = []
    for i in range(len(values)):
        keep = [j for j in range(len(values)) if j != i]
        slopes.append(trend_weighted([values[j] for j in keep], [lowers95[j] for j in keep],
                                     [uppers95[j] for j in keep], [times[j] for j in keep], z)[0])
    return slopes


def recent_trend(values: Sequence[float | None], lowers95: Sequence[float | None],
                 uppers95: Sequence[float | None], times: Sequence[float],
                 z: float = Z95) -> tuple[float, float, bool] | None:
    """Fingertips' recent trend of one series: (slope, statistic, sign_stable).

    slope and statistic are those of `trend_weighted`; sign_stable is true when every
    leave-one-out slope has the sign of the full slope (none zero). None when a point has no
    value or no interval of positive width: the series cannot be tested.
    """
    _check_series(values, lowers95, uppers95, times)
    if any(v is None or trend_weight(lo, u, z) is None for v, lo, u in zip(values, lowers95, uppers95)):
        return None
    slope, statistic = trend_weighted(values, lowers95, uppers95, times, z)
    loo = leave_one_out_slopes(values, lowers95, uppers95, times, z)
    stable = (slope > 0 and all(s > 0 for s in loo)) or (slope < 0 and all(s < 0 for s in loo))
    return slope, statistic, stable


def recent_trend_label(values: Sequence[float | None], lowers95: Sequence[float | None],
                       uppers95: Sequence[float | None], times: Sequence[float], polarity: str | None,
                       points: int = 5, z: float = Z95) -> str:
    """The label of `recent_trend` over exactly `points` yearly points: 'cannot_be_calculated'
    with fewer points or an untestable one, 'no_significant_change' when the statistic is not
    above 9.5495 or a leave-one-out slope changes sign."""
    if len(values) != points or len(set(times)) != points:
        return "cannot_be_calculated"
    result = recent_trend(values, lowers95, uppers95, times, z)
    if result is None:
        return "cannot_be_calculated"
    slope, statistic, stable = result
    if not stable:
        return "no_significant_change"
    return trend_label(statistic, slope, polarity)


def worse_and_worsening(compared_to_nl: str | None, trend: str | None) -> bool | None:
    """True when a row is worse than Nederland and its trend is getting worse; None when either
    is unknown (no comparison, no polarity, no trend or 'cannot_be_calculated')."""
    if compared_to_nl not in ("better", "similar", "worse") or trend in (None, "cannot_be_calculated"):
        return None
    return compared_to_nl == "worse" and trend.endswith("_getting_worse")


def trend_label(statistic: float | None, slope: float | None, polarity: str | None) -> str:
    """Fingertips-style trend label from the statistic, the slope's sign and the polarity."""
    if statistic is None or slope is None or math.isnan(slope):
        return "cannot_be_calculated"
    if math.isnan(statistic) or statistic <= TREND_CRITICAL_VALUE or slope == 0:
        return "no_significant_change"
    direction = "increasing" if slope > 0 else "decreasing"
    if polarity == "low_is_good":
        return f"{direction}_and_getting_{'worse' if slope > 0 else 'better'}"
    if polarity == "high_is_good":
        return f"{direction}_and_getting_{'better' if slope > 0 else 'worse'}"
    return direction


def slope_index_of_inequality(values: Sequence[float], lower: Sequence[float], upper: Sequence[float],
                              populations: Sequence[float], z: float = Z95) -> tuple[float, float, float]:
    """Slope index of inequality of quantile values (ordered from the least to the most
    advantaged, e.g. income quintile 1 to 5) with their 95% intervals and populations.

    Returns (sii, lower, upper): the slope, as PHEindicatormethods' `phe_sii` (value_type 0,
    transform FALSE) computes it, and its interval at `z`. Written as PHE writes it: with
    a_i the population shares and b_i the midpoints of the quantiles in the cumulative share,
    the least-squares fit without intercept of sqrt(a) * value on the columns sqrt(a) and
    b * sqrt(a), solved through the normal equations ((M M^T)^-1 M, M the 2 x k matrix of the
    two columns). The slope (the coefficient of b * sqrt(a)) is sum_i c_i * value_i with fixed
    c_i, so PHE's simulation (each value drawn from N(value, SE), SE = (upper - lower) / (2 *
    1.959964), 95% interval from the percentiles of the simulated slopes) converges to
    sii -/+ z * sqrt(sum_i c_i^2 SE_i^2), which is returned.
    """
    _check_series(values, lower, upper, populations)
    if any(p <= 0 for p in populations):
        raise ValueError("every quantile needs a positive population")
    total = sum(populations)
    shares = [p / total for p in populations]
    ranks, cumulative = [], 0.0
    for share in shares:
        ranks.append(cumulative + share / 2)
        cumulative += share
    roots = [math.sqrt(a) for a in shares]
    columns = (roots, [b * r for b, r in zip(ranks, roots)])  # the rows of M
    # M M^T (2 x 2) and its inverse
    m11 = sum(x * x for x in columns[0])
    m12 = sum(x * y for x, y in zip(*columns))
    m22 = sum(y * y for y in columns[1])
    det = m11 * m22 - m12 * m12
    # the second row of (M M^T)^-1 M, times sqrt(a) (the response is sqrt(a) * value)
    coefficients = [(-m12 * x + m11 * y) / det * r for x, y, r in zip(*columns, roots)]
    sii = sum(c * v for c, v in zip(coefficients, values))
    ses = [(u - lo) / (2 * Z95) for lo, u in zip(lower, upper)]
    spread = z * math.sqrt(sum((c * se) ** 2 for c, se in zip(coefficients, ses)))
    return sii, sii - spread, sii + spread
