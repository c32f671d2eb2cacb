"""The statistics of brief section 5 against published reference values and against the dbt macros.

Three layers:
- the plain-Python reference implementations (`orchestration.statistics`, `tests/reference_statistics.py`) against values
  published by others: Newcombe's (1998) Wilson intervals, the exact Poisson limits of the
  Garwood tables, R's `prop.trend.test` example, and hand-worked trend examples (we found no
  published values for Fingertips' current recent-trend method, so its examples are worked by
  hand, including one whose slope changes sign when a year is left out);
- the seed `poisson_exact_limits` against scipy, the independent bisection and those tables;
- the SQL macros (`dbt_project/macros/statistics.sql`), compiled by dbt and run in DuckDB,
  against the Python reference on many generated series.
"""

from __future__ import annotations

import csv
import json
import math
import random

import duckdb
import pytest

from orchestration.statistics import Z95, Z998, byar_interval, exact_poisson_interval, wilson_interval
from reference_statistics import (
    TREND_CRITICAL_VALUE,
    leave_one_out_slopes,
    recent_trend,
    recent_trend_label,
    trend_label,
    trend_proportion,
    trend_weight,
    trend_weighted,
    worse_and_worsening,
)
from test_dbt_macros import PROJECT_DIR, run_dbt

SEED = PROJECT_DIR / "seeds" / "poisson_exact_limits.csv"

# Exact 95% Poisson limits for counts 0-10 as tabulated (Garwood 1936; e.g. the tables in
# Breslow & Day, vol. II, and the limits PHE publishes for small counts).
GARWOOD_95 = {
    0: (0.0, 3.689), 1: (0.0253, 5.572), 2: (0.2422, 7.225), 3: (0.6187, 8.767),
    4: (1.0899, 10.242), 5: (1.6235, 11.6683), 6: (2.2019, 13.059), 7: (2.8144, 14.423),
    8: (3.4538, 15.763), 9: (4.1154, 17.085), 10: (4.7954, 18.390),
}


# --- reference implementations against published values ------------------------------------

@pytest.mark.parametrize("events, trials, lower, upper", [
    # Newcombe (1998), Statistics in Medicine 17:857-872, table I, method 3 (score, no correction)
    (81, 263, 0.2553, 0.3662),
    (15, 148, 0.0624, 0.1605),
    (0, 20, 0.0, 0.1611),
    (1, 29, 0.0061, 0.1718),
])
def test_wilson_matches_newcombe(events, trials, lower, upper):
    lo, hi = wilson_interval(events, trials, Z95)
    assert lo == pytest.approx(lower, abs=5e-5) and hi == pytest.approx(upper, abs=5e-5)


def test_wilson_998_is_wider_and_z_values_are_the_normal_quantiles():
    lo95, hi95 = wilson_interval(81, 263, Z95)
    lo998, hi998 = wilson_interval(81, 263, Z998)
    assert lo998 < lo95 < 81 / 263 < hi95 < hi998
    # z for two-sided 95% and 99.8%: Phi^-1(0.975) and Phi^-1(0.999)
    assert 0.5 * math.erfc(-Z95 / math.sqrt(2)) == pytest.approx(0.975, abs=1e-7)
    assert 0.5 * math.erfc(-Z998 / math.sqrt(2)) == pytest.approx(0.999, abs=1e-7)
    assert Z998 ** 2 == pytest.approx(TREND_CRITICAL_VALUE, abs=1e-4)


@pytest.mark.parametrize("events", sorted(GARWOOD_95))
def test_exact_poisson_reference_matches_garwood_table(events):
    lower, upper = exact_poisson_interval(events, 0.95)
    table_lower, table_upper = GARWOOD_95[events]
    assert lower == pytest.approx(table_lower, abs=6e-4)
    assert upper == pytest.approx(table_upper, abs=6e-4)


@pytest.mark.parametrize("events, exact_lower, exact_upper", [
    # exact 95% limits (Garwood) for larger counts; Byar's approximation is within 0.2% of them
    # at 95% (PHE uses it from 10 events on)
    (10, 4.7954, 18.3904), (20, 12.2165, 30.8884), (50, 37.1111, 65.9189), (100, 81.3639, 121.6269),
])
def test_byar_approximates_the_exact_limits(events, exact_lower, exact_upper):
    assert exact_poisson_interval(events) == pytest.approx((exact_lower, exact_upper), abs=1e-3)
    lower, upper = byar_interval(events, Z95)
    assert lower == pytest.approx(exact_lower, rel=2e-3)
    assert upper == pytest.approx(exact_upper, rel=2e-3)
    lower998, upper998 = byar_interval(events, Z998)
    exact998 = exact_poisson_interval(events, 0.998)
    # at 99.8% the approximation is rougher at small counts (1.5% low at 10 events)
    assert lower998 == pytest.approx(exact998[0], rel=2e-2) and upper998 == pytest.approx(exact998[1], rel=2e-2)


def test_trend_in_proportions_matches_r_prop_trend_test():
    # R's documented example: prop.trend.test(smokers, patients) gives X-squared = 8.2249
    smokers = [83, 90, 129, 70]
    patients = [86, 93, 136, 82]
    slope, statistic = trend_proportion(smokers, patients, [1, 2, 3, 4])
    assert statistic == pytest.approx(8.2249, abs=5e-5)
    assert slope < 0  # the proportion of smokers falls from 96.5% to 85.4%


def test_trend_in_proportions_worked_example():
    """Five years, 1000 births each, 100, 110, 120, 130, 140 cases (t = -4..0):
    N = 5000, p = 600/5000 = 0.12, sum(n t) = -10000, sum(n t^2) = 30000,
    Sxx = 30000 - 10000^2/5000 = 10000, sum(O t) = -1100,
    slope = (-1100 - 600 * -10000/5000) / 10000 = 0.01 (one percentage point a year),
    chi2 = 0.01^2 * 10000 / (0.12 * 0.88) = 9.4697: just NOT significant at 99.8%.
    With twice the births and cases the statistic doubles (18.9394): significant."""
    times = [-4, -3, -2, -1, 0]
    slope, statistic = trend_proportion([100, 110, 120, 130, 140], [1000] * 5, times)
    assert slope == pytest.approx(0.01)
    assert statistic == pytest.approx(1 / 0.1056)
    assert trend_label(statistic, slope, "low_is_good") == "no_significant_change"
    slope, statistic = trend_proportion([200, 220, 240, 260, 280], [2000] * 5, times)
    assert statistic == pytest.approx(2 / 0.1056)
    assert trend_label(statistic, slope, "low_is_good") == "increasing_and_getting_worse"
    assert trend_label(statistic, slope, "high_is_good") == "increasing_and_getting_better"
    slope, statistic = trend_proportion([280, 260, 240, 220, 200], [2000] * 5, times)
    assert trend_label(statistic, slope, "low_is_good") == "decreasing_and_getting_better"
    assert trend_label(statistic, slope, "high_is_good") == "decreasing_and_getting_worse"
    assert trend_label(statistic, slope, None) == "decreasing"


def test_weighted_trend_worked_example():
    """Values 5, 6, 7, 8, 9 per 1000, each with SE 1 (95% interval value +/- 1.959964):
    w = 1, sum(w) = 5, sum(w t) = -10, sum(w t^2) = 30, D = 5*30 - 100 = 50, sum(w y) = 35,
    sum(w t y) = -60, slope = (5 * -60 - -10 * 35) / 50 = 1, chi2 = 1^2 * 50 / 5 = 10 > 9.5495."""
    values = [5.0, 6.0, 7.0, 8.0, 9.0]
    slope, statistic = trend_weighted(values, [v - Z95 for v in values], [v + Z95 for v in values],
                                      [-4, -3, -2, -1, 0])
    assert slope == pytest.approx(1.0)
    assert statistic == pytest.approx(10.0)
    assert trend_label(statistic, slope, "low_is_good") == "increasing_and_getting_worse"


def test_recent_trend_unequal_weights_worked_example():
    """SE 1, 1, 1, 0.5, 0.5 (w = 1, 1, 1, 4, 4; intervals value +/- 1.959964 SE, so the SE is
    the width / 3.92), values 10, 10, 10, 12, 14 at t = -4..0:
    sum(w) = 11, sum(w t) = -13, sum(w t^2) = 33, sum(w y) = 134, sum(w t y) = -138,
    Sxx = 33 - 169/11 = 194/11, slope = (-138 + 13 * 134/11) / Sxx = (224/11) / (194/11) = 112/97,
    chi2 = slope^2 Sxx = 224^2 / (194 * 11) = 23.5127 > 9.5495; without t = -4 the slope is
    13.6 / 8.9 = 1.528, without t = 0 it is (48/7) / (62/7) = 0.774: all positive, significant."""
    values, ses, times = [10.0, 10.0, 10.0, 12.0, 14.0], [1, 1, 1, 0.5, 0.5], [-4, -3, -2, -1, 0]
    lowers = [v - Z95 * se for v, se in zip(values, ses)]
    uppers = [v + Z95 * se for v, se in zip(values, ses)]
    assert [trend_weight(lo, hi) for lo, hi in zip(lowers, uppers)] == pytest.approx([1, 1, 1, 4, 4])
    slope, statistic, stable = recent_trend(values, lowers, uppers, times)
    assert slope == pytest.approx(112 / 97) and statistic == pytest.approx(224 ** 2 / (194 * 11))
    loo = leave_one_out_slopes(values, lowers, uppers, times)
    assert loo[0] == pytest.approx(13.6 / 8.9) and loo[-1] == pytest.approx(48 / 62)
    assert stable and all(s > 0 for s in loo)
    assert recent_trend_label(values, lowers, uppers, times, "high_is_good") == "increasing_and_getting_better"


def test_leave_one_out_flip_worked_example():
    """SE 1 everywhere (w = 1), values 12, 11.5, 11, 10.5, 20 at t = -4..0 (mean t = -2,
    Sxx = 10): slope = (-2*12 - 11.5 + 0 + 10.5 + 2*20) / 10 = 1.5, chi2 = 1.5^2 * 10 = 22.5,
    far above 9.5495. Leaving out one year at a time (each fit by hand, Sxx and the weighted
    sum of t - mean t times y):
      without t=-4: t -3..0, Sxx 5, 12.5 / 5 = 2.5
      without t=-3: Sxx 8.75, 13.125 / 8.75 = 1.5
      without t=-2: Sxx 10, 15 / 10 = 1.5
      without t=-1: Sxx 8.75, 18.125 / 8.75 = 2.0714
      without t=0:  t -4..-1, Sxx 5, -2.5 / 5 = -0.5   (the last year alone makes the rise)
    The slope does not keep its sign: no significant change."""
    values, times = [12.0, 11.5, 11.0, 10.5, 20.0], [-4, -3, -2, -1, 0]
    lowers, uppers = [v - Z95 for v in values], [v + Z95 for v in values]
    slope, statistic = trend_weighted(values, lowers, uppers, times)
    assert slope == pytest.approx(1.5) and statistic == pytest.approx(22.5)
    assert trend_label(statistic, slope, "low_is_good") == "increasing_and_getting_worse"  # the full fit alone
    assert leave_one_out_slopes(values, lowers, uppers, times) == pytest.approx(
        [2.5, 1.5, 1.5, 18.125 / 8.75, -0.5])
    assert recent_trend(values, lowers, uppers, times) == (pytest.approx(1.5), pytest.approx(22.5), False)
    assert recent_trend_label(values, lowers, uppers, times, "low_is_good") == "no_significant_change"
    # the same series rising steadily instead of at the end: significant
    steady = [12.0, 13.0, 14.0, 15.0, 16.0]
    assert recent_trend_label(steady, [v - Z95 for v in steady], [v + Z95 for v in steady], times,
                              "low_is_good") == "increasing_and_getting_worse"


def test_recent_trend_cannot_be_calculated():
    times = [-4, -3, -2, -1, 0]
    values = [5.0, 6.0, 7.0, 8.0, 9.0]
    lowers, uppers = [v - 1 for v in values], [v + 1 for v in values]
    # a withheld point, an interval of no width, too few points
    assert recent_trend_label(values[:4] + [None], lowers[:4] + [None], uppers[:4] + [None], times,
                              "low_is_good") == "cannot_be_calculated"
    assert recent_trend_label(values, lowers[:4] + [9.0], uppers[:4] + [9.0], times,
                              "low_is_good") == "cannot_be_calculated"
    assert recent_trend_label(values[1:], lowers[1:], uppers[1:], times[1:], "low_is_good") == "cannot_be_calculated"
    assert trend_weight(9.0, 9.0) is None and trend_weight(None, 1.0) is None
    assert trend_weight(10 - Z95, 10 + Z95) == pytest.approx(1.0)


def test_worse_and_worsening_reference():
    assert worse_and_worsening("worse", "increasing_and_getting_worse") is True
    assert worse_and_worsening("worse", "decreasing_and_getting_worse") is True
    assert worse_and_worsening("worse", "decreasing_and_getting_better") is False
    assert worse_and_worsening("better", "increasing_and_getting_worse") is False
    assert worse_and_worsening("worse", "cannot_be_calculated") is None
    assert worse_and_worsening(None, "increasing_and_getting_worse") is None
    assert worse_and_worsening("higher", "increasing") is None


def test_trend_references_agree_with_weighted_least_squares():
    """Both statistics equal slope^2 / var(slope) of a weighted least-squares fit, computed
    here with numpy's generic solver (R's prop.trend.test does exactly this with weights
    n / (p(1-p)))."""
    np = pytest.importorskip("numpy")
    rng = random.Random(3)
    for _ in range(20):
        times = [-4, -3, -2, -1, 0]
        denominators = [rng.randint(50, 5000) for _ in times]
        numerators = [rng.randint(1, d - 1) for d in denominators]
        p = sum(numerators) / sum(denominators)
        weights = np.array(denominators) / (p * (1 - p))
        design = np.column_stack([np.ones(5), np.array(times, float)])
        y = np.array(numerators) / np.array(denominators)
        xtwx = design.T @ (design * weights[:, None])
        beta = np.linalg.solve(xtwx, design.T @ (weights * y))
        variance = np.linalg.inv(xtwx)[1, 1]
        slope, statistic = trend_proportion(numerators, denominators, times)
        assert slope == pytest.approx(beta[1], rel=1e-9)
        assert statistic == pytest.approx(beta[1] ** 2 / variance, rel=1e-9)

        values = [rng.uniform(1, 20) for _ in times]
        ses = [rng.uniform(0.2, 3) for _ in times]
        weights = 1 / np.array(ses) ** 2
        xtwx = design.T @ (design * weights[:, None])
        beta = np.linalg.solve(xtwx, design.T @ (weights * np.array(values)))
        variance = np.linalg.inv(xtwx)[1, 1]
        slope, statistic = trend_weighted(values, [v - Z95 * s for v, s in zip(values, ses)],
                                          [v + Z95 * s for v, s in zip(values, ses)], times)
        assert slope == pytest.approx(beta[1], rel=1e-9)
        assert statistic == pytest.approx(beta[1] ** 2 / variance, rel=1e-9)


def test_trend_label_edge_cases():
    assert trend_label(None, None, "low_is_good") == "cannot_be_calculated"
    assert trend_label(math.nan, 0.0, "low_is_good") == "no_significant_change"  # all 0% or all 100%
    assert trend_label(TREND_CRITICAL_VALUE, 1.0, "low_is_good") == "no_significant_change"
    assert trend_label(TREND_CRITICAL_VALUE + 1e-3, -1.0, "low_is_good") == "decreasing_and_getting_better"


# --- the seed of exact Poisson limits ---------------------------------------------------------

def seed_rows() -> dict[int, dict[str, float]]:
    with SEED.open(encoding="utf-8") as handle:
        return {int(row["events"]): {k: float(v) for k, v in row.items() if k != "events"}
                for row in csv.DictReader(handle)}


def test_seed_holds_counts_zero_to_nine():
    assert sorted(seed_rows()) == list(range(10))


@pytest.mark.parametrize("events", range(10))
def test_seed_matches_bisection_and_garwood(events):
    row = seed_rows()[events]
    for level, confidence in (("95", 0.95), ("998", 0.998)):
        lower, upper = exact_poisson_interval(events, confidence)
        assert row[f"lower_{level}"] == pytest.approx(lower, abs=1e-7)
        assert row[f"upper_{level}"] == pytest.approx(upper, abs=1e-7)
    assert (row["lower_95"], row["upper_95"]) == pytest.approx(GARWOOD_95[events], abs=6e-4)


def test_seed_matches_scipy():
    chi2 = pytest.importorskip("scipy.stats").chi2
    for events, row in seed_rows().items():
        for level, alpha in (("95", 0.05), ("998", 0.002)):
            lower = 0.0 if events == 0 else chi2.ppf(alpha / 2, 2 * events) / 2
            upper = chi2.ppf(1 - alpha / 2, 2 * events + 2) / 2
            assert row[f"lower_{level}"] == pytest.approx(lower, abs=1e-7)
            assert row[f"upper_{level}"] == pytest.approx(upper, abs=1e-7)


# --- the SQL macros against the reference -----------------------------------------------------

POLARITIES = ("low_is_good", "high_is_good", None)


def _point(t, num, den, method):
    """One yearly point of a generated series: a proportion (Wilson, in %), a rate (Byar, per
    1000) or a census share (no interval)."""
    if method == "wilson":
        lower, upper = wilson_interval(num, den, Z95)
        return {"t": t, "num": num, "den": den, "value": 100 * num / den, "lo": 100 * lower, "hi": 100 * upper}
    if method == "byar":
        lower, upper = byar_interval(num, Z95)
        return {"t": t, "num": num, "den": den, "value": 1000 * num / den, "lo": 1000 * lower / den,
                "hi": 1000 * upper / den}
    return {"t": t, "num": num, "den": den, "value": 100 * num / den, "lo": None, "hi": None}


def _se1(t, value):
    """A point with standard error 1 (95% interval value +/- 1.959964)."""
    return {"t": t, "num": None, "den": None, "value": value, "lo": value - Z95, "hi": value + Z95}


def generated_series(count: int = 60) -> list[dict]:
    rng = random.Random(11)
    series = []
    for k in range(count):
        method = ("wilson", "byar", "none")[k % 3]
        size = rng.choice([20, 40, 300, 5000, 170_000] if method != "none" else [1, 12, 342])
        rate = rng.uniform(0.02, 0.6)
        drift = rng.uniform(-0.03, 0.03)
        points = []
        for t in range(-4, 1):
            den = max(1, int(size * rng.uniform(0.8, 1.2)))
            p = min(0.95, max(0.01, rate + drift * t))
            num = max(1, min(den - 1, int(round(den * p + rng.gauss(0, math.sqrt(den * p * (1 - p)))))))
            points.append(_point(t, num, den, method))
        series.append({"id": k, "method": method, "polarity": POLARITIES[k % 7 % 3], "points": points})
    times = range(-4, 1)
    series += [
        # SE 1, values 5..9: slope 1, chi2 10 > 9.5495, every leave-one-out slope 1: significant
        {"id": 100, "method": "byar", "polarity": "low_is_good",
         "points": [_se1(t, v) for t, v in zip(times, [5.0, 6.0, 7.0, 8.0, 9.0])]},
        # SE 1, values 12, 11.5, 11, 10.5, 20: slope 1.5, chi2 22.5, but without the last year the
        # slope is -0.5 (test_leave_one_out_flip_worked_example): no significant change
        {"id": 103, "method": "byar", "polarity": "low_is_good",
         "points": [_se1(t, v) for t, v in zip(times, [12.0, 11.5, 11.0, 10.5, 20.0])]},
        # a withheld point (no value, no interval) breaks the series
        {"id": 104, "method": "wilson", "polarity": "low_is_good",
         "points": [_se1(t, v) for t, v in zip(times, [5.0, 6.0, 7.0, 8.0])]
         + [{"t": 0, "num": None, "den": None, "value": None, "lo": None, "hi": None}]},
        # four points only
        {"id": 105, "method": "byar", "polarity": "low_is_good",
         "points": [_se1(t, v) for t, v in zip(range(-3, 1), [5.0, 7.0, 9.0, 11.0])]},
        # an interval of no width: no weight, the series cannot be tested
        {"id": 106, "method": "byar", "polarity": "low_is_good",
         "points": [_se1(t, v) for t, v in zip(range(-4, 0), [5.0, 6.0, 7.0, 8.0])]
         + [{"t": 0, "num": None, "den": None, "value": 9.0, "lo": 9.0, "hi": 9.0}]},
        # census shares (no interval): the chi-square test for trend in proportions on the counts,
        # the worked examples of test_trend_in_proportions_worked_example
        {"id": 107, "method": "none", "polarity": "low_is_good",
         "points": [_point(t, o, 1000, "none") for t, o in zip(times, [100, 110, 120, 130, 140])]},
        {"id": 108, "method": "none", "polarity": "low_is_good",
         "points": [_point(t, o, 2000, "none") for t, o in zip(times, [200, 220, 240, 260, 280])]},
        {"id": 109, "method": "none", "polarity": "high_is_good",
         "points": [_point(t, 0, 50, "none") for t in times]},
    ]
    return series


def _sql(x) -> str:
    if x is None:
        return "null"
    if isinstance(x, str):
        return f"'{x}'"
    return repr(x)


@pytest.fixture(scope="module")
def macro_results(dbt_scratch):
    """Compile the trend, label and exact-Poisson macros inline with dbt and run them in DuckDB."""
    series = generated_series()
    values = ",\n".join(
        f"({s['id']}, {p['t']}, {_sql(p['num'])}, {_sql(p['den'])}, {_sql(p['value'])}, {_sql(p['lo'])}, "
        f"{_sql(p['hi'])}, '{s['method']}', {_sql(s['polarity'])})"
        for s in series for p in s["points"])
    trend_sql = f"""
        with points(series, t, numerator, denominator, value, ci95_lower, ci95_upper, interval_method, polarity)
            as (values {values})
        select * from ({{{{ recent_trend('points', ['series'], 5) }}}}) order by series"""
    label_cases = [
        (20.0, 0.5, "low_is_good", True, True), (20.0, -0.5, "low_is_good", True, True),
        (20.0, 0.5, "high_is_good", True, True), (20.0, -0.5, "high_is_good", True, True),
        (20.0, 0.5, "no_polarity", True, True), (20.0, -0.5, "no_polarity", True, True),
        (9.5495, 0.5, "low_is_good", True, True), (9.55, 0.5, "low_is_good", True, True),
        (None, None, "low_is_good", True, True), (50.0, 0.5, "low_is_good", False, True),
        (None, None, "high_is_good", None, True), (50.0, 0.5, "low_is_good", True, False),
        (50.0, -0.5, "high_is_good", True, None),
    ]
    label_values = ",\n".join(f"({i}, {_sql(c)}, {_sql(s)}, '{p}', {_sql(e)}, {_sql(st)})"
                               for i, (c, s, p, e, st) in enumerate(label_cases))
    label_sql = f"""
        with cases(i, chi2, slope, polarity, enough, stable) as (values {label_values})
        select i, {{{{ trend_label('chi2', 'slope', 'polarity', 'enough', 'stable') }}}} as label
        from cases order by i"""
    flag_cases = [(c, t) for c in ("better", "similar", "worse", "higher", None)
                  for t in ("increasing_and_getting_worse", "decreasing_and_getting_worse",
                            "increasing_and_getting_better", "decreasing_and_getting_better",
                            "no_significant_change", "cannot_be_calculated", "increasing", None)]
    flag_values = ",\n".join(f"({i}, {_sql(c)}, {_sql(t)})" for i, (c, t) in enumerate(flag_cases))
    flag_sql = f"""
        with cases(i, compared, trend) as (values {flag_values})
        select i, {{{{ worse_and_worsening('compared', 'trend') }}}} as flag from cases order by i"""
    seed_path = SEED.as_posix()
    poisson_sql = f"""
        with limits as (select * from read_csv('{seed_path}')),
        cells(events, den) as (values (0, 2000), (5, 1000), (9, 4000))
        select c.events,
            {{{{ poisson_exact_bound('limits', 'lower_95', 'c.den', 1000) }}}} as lower_95,
            {{{{ poisson_exact_bound('limits', 'upper_95', 'c.den', 1000) }}}} as upper_95,
            {{{{ poisson_exact_bound('limits', 'lower_998', 'c.den', 1000) }}}} as lower_998,
            {{{{ poisson_exact_bound('limits', 'upper_998', 'c.den', 1000) }}}} as upper_998,
            {{{{ poisson_exact_bound('limits', 'upper_95', 0, 1000) }}}} as empty_denominator
        from cells as c inner join limits on limits.events = c.events
        order by c.events"""
    # one dbt start-up for the queries: compile them as one text, split afterwards
    names = ("trend", "label", "flag", "poisson")
    marker = "-- next query --"
    inline = f"\n{marker}\n".join((trend_sql, label_sql, flag_sql, poisson_sql))
    result = run_dbt(dbt_scratch, "compile", "--quiet", "--output", "json", "--inline", inline)
    assert result.returncode == 0, result.stdout + result.stderr
    compiled = json.loads(result.stdout[result.stdout.index("{"):])["compiled"].split(marker)
    assert len(compiled) == len(names)
    con = duckdb.connect()
    results = {}
    for name, sql in zip(names, compiled):
        cursor = con.execute(sql)
        columns = [d[0] for d in cursor.description]
        results[name] = [dict(zip(columns, row)) for row in cursor.fetchall()]
    return {"series": series, "label_cases": label_cases, "flag_cases": flag_cases, **results}


def test_recent_trend_macro_matches_the_reference(macro_results):
    by_id = {row["series"]: row for row in macro_results["trend"]}
    assert len(by_id) == len(macro_results["series"])
    unstable = 0
    for s in macro_results["series"]:
        row, points = by_id[s["id"]], s["points"]
        times = [p["t"] for p in points]
        if s["method"] == "none":
            slope, statistic = trend_proportion([p["num"] for p in points], [p["den"] for p in points], times)
            expected = trend_label(statistic, slope, s["polarity"])
            assert row["slope"] == pytest.approx(slope, rel=1e-9, abs=1e-12)
            assert (row["chi2"] is None) if math.isnan(statistic) else \
                row["chi2"] == pytest.approx(statistic, rel=1e-8, abs=1e-9)
            assert row["sign_stable"] is True
        else:
            args = ([p["value"] for p in points], [p["lo"] for p in points], [p["hi"] for p in points], times)
            expected = recent_trend_label(*args, s["polarity"])
            fit = recent_trend(*args) if len(points) == 5 else None
            if fit is not None:
                slope, statistic, stable = fit
                assert row["slope"] == pytest.approx(slope, rel=1e-8, abs=1e-12)
                assert row["chi2"] == pytest.approx(statistic, rel=1e-8, abs=1e-9)
                assert row["sign_stable"] is stable, s["id"]
                unstable += statistic > TREND_CRITICAL_VALUE and not stable
        assert row["trend"] == expected, s["id"]
    assert unstable >= 1  # the rule that a left-out point may not flip the sign was exercised
    labels = {i: by_id[i]["trend"] for i in (100, *range(103, 110))}
    assert labels == {
        100: "increasing_and_getting_worse", 103: "no_significant_change", 104: "cannot_be_calculated",
        105: "cannot_be_calculated", 106: "cannot_be_calculated", 107: "no_significant_change",
        108: "increasing_and_getting_worse", 109: "no_significant_change"}
    assert (by_id[100]["slope"], by_id[100]["chi2"]) == (pytest.approx(1.0), pytest.approx(10.0))
    assert (by_id[103]["slope"], by_id[103]["chi2"]) == (pytest.approx(1.5), pytest.approx(22.5))
    assert by_id[103]["sign_stable"] is False
    assert by_id[107]["chi2"] == pytest.approx(1 / 0.1056)
    assert by_id[108]["chi2"] == pytest.approx(2 / 0.1056)
    assert by_id[109]["chi2"] is None  # 0% every year: no variance


def test_trend_label_macro_matches_the_reference(macro_results):
    labels = [row["label"] for row in macro_results["label"]]
    for (chi2, slope, polarity, enough, stable), label in zip(macro_results["label_cases"], labels):
        # a NULL statistic with enough points (no variance) is NaN in the reference
        expected = "cannot_be_calculated" if not enough else trend_label(
            math.nan if chi2 is None else chi2, 0.0 if slope is None else slope,
            polarity if polarity != "no_polarity" else None)
        if enough and not stable and expected != "cannot_be_calculated":
            expected = "no_significant_change"
        assert label == expected, (chi2, slope, polarity, enough, stable)
    assert labels[:6] == ["increasing_and_getting_worse", "decreasing_and_getting_better",
                          "increasing_and_getting_better", "decreasing_and_getting_worse",
                          "increasing", "decreasing"]
    assert labels[11:] == ["no_significant_change", "no_significant_change"]  # the sign not stable


def test_worse_and_worsening_macro_matches_the_reference(macro_results):
    flags = [row["flag"] for row in macro_results["flag"]]
    for (compared, trend), flag in zip(macro_results["flag_cases"], flags):
        assert flag is worse_and_worsening(compared, trend), (compared, trend)
    by_case = dict(zip(macro_results["flag_cases"], flags))
    assert by_case["worse", "increasing_and_getting_worse"] is True
    assert by_case["worse", "decreasing_and_getting_worse"] is True
    assert by_case["worse", "no_significant_change"] is False
    assert by_case["similar", "increasing_and_getting_worse"] is False
    assert by_case["worse", "cannot_be_calculated"] is None
    assert by_case["worse", None] is None and by_case[None, "increasing_and_getting_worse"] is None
    assert by_case["higher", "increasing"] is None  # no polarity


def test_exact_poisson_macro_scales_the_seed(macro_results):
    rows = {row["events"]: row for row in macro_results["poisson"]}
    for events, den in ((0, 2000), (5, 1000), (9, 4000)):
        for level, confidence in (("95", 0.95), ("998", 0.998)):
            lower, upper = exact_poisson_interval(events, confidence)
            assert rows[events][f"lower_{level}"] == pytest.approx(1000 * lower / den, abs=1e-7)
            assert rows[events][f"upper_{level}"] == pytest.approx(1000 * upper / den, abs=1e-7)
        assert rows[events]["empty_denominator"] is None
    # the published example: 5 events in 1000 -> 1.6235 to 11.6683 per 1000
    assert rows[5]["lower_95"] == pytest.approx(1.6235, abs=1e-4)
    assert rows[5]["upper_95"] == pytest.approx(11.6683, abs=1e-4)
