"""The interval statistics in plain Python, as England's Fingertips / PHEindicatormethods
compute them (brief section 5); the warehouse computes the same in SQL
(`dbt_project/macros/statistics.sql`), and the tests compare the two.

- Wilson score interval for proportions, without continuity correction;
- Byar's approximation of the Poisson interval from 10 events, exact Poisson limits below.

The site draws its funnel-plot limits with them (`orchestration/site/funnel.py`). No third-party
packages: the exact Poisson limits are found by bisection on the Poisson distribution function,
so they can be checked against scipy's chi-square quantiles without using them. The reference
versions of the trend and the slope index of inequality, which only the tests need, are in
`tests/reference_statistics.py`.
"""


from __future__ import annotations

import math

Z95 = 1.959964
Z998 = 3.090232
def wilson_interval(events: float, trials: float, z: float = Z95) -> tuple[float, float]:
    """Wilson score interval of events/trials (as proportions), no continuity correction."""
    if trials <= 0:
        raise ValueError("trials must be positive")
    p = events / trials
    centre = p + z * z / (2 * trials)
    spread = z * math.sqrt(p * (1 - p) / trials + z * z / (4 * trials * trials))
    scale = 1 + z * z / trials
    return max(0.0, (centre - spread) / scale), min(1.0, (centre + spread) / scale)


def byar_interval(events: float, z: float = Z95) -> tuple[float, float]:
    """Byar's approximation of the Poisson interval of a count (limits for the count)."""
    lower = 0.0
    if events > 0:
        lower = events * (1 - 1 / (9 * events) - z / (3 * math.sqrt(events))) ** 3
    upper = (events + 1) * (1 - 1 / (9 * (events + 1)) + z / (3 * math.sqrt(events + 1))) ** 3
    return max(0.0, lower), upper


def _poisson_cdf(k: int, mean: float) -> float:
    """P(X <= k) for X ~ Poisson(mean), summed term by term (fine for small k)."""
    term = math.exp(-mean)
    total = term
    for i in range(1, k + 1):
        term *= mean / i
        total += term
    return total


def _bisect(function, target: float, low: float, high: float) -> float:
    """The x in [low, high] where a monotone function crosses target (to 1e-12)."""
    f_low = function(low) - target
    for _ in range(200):
        mid = (low + high) / 2
        f_mid = function(mid) - target
        if (f_mid > 0) == (f_low > 0):
            low, f_low = mid, f_mid
        else:
            high = mid
        if high - low < 1e-12:
            break
    return (low + high) / 2


def exact_poisson_interval(events: int, confidence: float = 0.95) -> tuple[float, float]:
    """Exact (Garwood) limits for a Poisson count: the means whose tail probability beyond the
    observed count is (1 - confidence) / 2 on either side."""
    if events < 0 or int(events) != events:
        raise ValueError("events must be a non-negative integer")
    alpha = (1 - confidence) / 2
    events = int(events)
    top = 10.0 * (events + 10)
    upper = _bisect(lambda m: _poisson_cdf(events, m), alpha, 0.0, top)
    lower = 0.0 if events == 0 else _bisect(lambda m: 1 - _poisson_cdf(events - 1, m), alpha, 0.0, top)
    return lower, upper
