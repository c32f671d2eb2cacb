"""The statistics of brief section 5 against published reference values and against the dbt macros.

Three layers:
- the plain-Python reference implementations (`orchestration.statistics`) against values
  published by others: Newcombe's (1998) Wilson intervals, the exact Poisson limits of the
  Garwood tables, R's `prop.trend.test` example, and hand-worked trend examples;
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

from orchestration.statistics import (
    TREND_CRITICAL_VALUE,
    Z95,
    Z998,
    byar_interval,
    exact_poisson_interval,
    trend_label,
    trend_proportion,
    trend_weighted,
    wilson_interval,
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

def generated_series(count: int = 40) -> list[dict]:
    rng = random.Random(11)
    series = []
    for k in range(count):
        size = rng.choice([40, 300, 5000, 170_000])
        rate = rng.uniform(0.02, 0.6)
        drift = rng.uniform(-0.03, 0.03)
        points = []
        for t in range(-4, 1):
            den = max(10, int(size * rng.uniform(0.8, 1.2)))
            p = min(0.95, max(0.01, rate + drift * t))
            num = max(1, min(den - 1, int(round(den * p + rng.gauss(0, math.sqrt(den * p * (1 - p)))))))
            value = 1000 * num / den
            lower, upper = byar_interval(num, Z95)
            points.append({"t": t, "num": num, "den": den, "value": value,
                           "lo": 1000 * lower / den, "hi": 1000 * upper / den})
        series.append({"id": k, "points": points})
    # the worked examples and R's example (4 points, t = 1..4)
    series.append({"id": 100, "points": [{"t": t, "num": o, "den": 1000, "value": o, "lo": o - Z95, "hi": o + Z95}
                                          for t, o in zip(range(-4, 1), [100, 110, 120, 130, 140])]})
    series.append({"id": 101, "points": [{"t": t, "num": o, "den": n, "value": 1000 * o / n,
                                          "lo": 0.0, "hi": 1.0}
                                         for t, o, n in zip(range(1, 5), [83, 90, 129, 70], [86, 93, 136, 82])]})
    series.append({"id": 102, "points": [{"t": t, "num": 0, "den": 50, "value": 0.0, "lo": 0.0, "hi": 1.0}
                                         for t in range(-4, 1)]})
    return series


@pytest.fixture(scope="module")
def macro_results(tmp_path_factory):
    """Compile the trend, label and exact-Poisson macros inline with dbt and run them in DuckDB."""
    tmp = tmp_path_factory.mktemp("statistics")
    series = generated_series()
    values = ",\n".join(
        f"({s['id']}, {p['t']}, {p['num']}, {p['den']}, {p['value']!r}, {p['lo']!r}, {p['hi']!r})"
        for s in series for p in s["points"])
    trend_sql = f"""
        with points(series, t, num, den, value, lo, hi) as (values {values})
        select
            series,
            {{{{ trend_proportion_slope('num', 'den', 't') }}}} as proportion_slope,
            {{{{ trend_proportion_chi2('num', 'den', 't') }}}} as proportion_chi2,
            {{{{ trend_weighted_slope('value', 'lo', 'hi', 't') }}}} as weighted_slope,
            {{{{ trend_weighted_chi2('value', 'lo', 'hi', 't') }}}} as weighted_chi2
        from points
        group by series
        order by series"""
    label_cases = [
        (20.0, 0.5, "low_is_good", True), (20.0, -0.5, "low_is_good", True),
        (20.0, 0.5, "high_is_good", True), (20.0, -0.5, "high_is_good", True),
        (20.0, 0.5, "no_polarity", True), (20.0, -0.5, "no_polarity", True),
        (9.5495, 0.5, "low_is_good", True), (9.55, 0.5, "low_is_good", True),
        (None, None, "low_is_good", True), (50.0, 0.5, "low_is_good", False), (None, None, "high_is_good", None),
    ]
    label_values = ",\n".join(
        f"({i}, {'null' if c is None else c}, {'null' if s is None else s}, '{p}', {'null' if e is None else str(e).lower()})"
        for i, (c, s, p, e) in enumerate(label_cases))
    label_sql = f"""
        with cases(i, chi2, slope, polarity, enough) as (values {label_values})
        select i, {{{{ trend_label('chi2', 'slope', 'polarity', 'enough') }}}} as label
        from cases order by i"""
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
    # one dbt start-up for the three queries: compile them as one text, split afterwards
    names = ("trend", "label", "poisson")
    marker = "-- next query --"
    inline = f"\n{marker}\n".join((trend_sql, label_sql, poisson_sql))
    result = run_dbt(tmp, "compile", "--quiet", "--output", "json", "--inline", inline)
    assert result.returncode == 0, result.stdout + result.stderr
    compiled = json.loads(result.stdout[result.stdout.index("{"):])["compiled"].split(marker)
    assert len(compiled) == len(names)
    con = duckdb.connect()
    results = {}
    for name, sql in zip(names, compiled):
        cursor = con.execute(sql)
        columns = [d[0] for d in cursor.description]
        results[name] = [dict(zip(columns, row)) for row in cursor.fetchall()]
    return {"series": series, "label_cases": label_cases, **results}


def test_trend_macros_match_the_reference(macro_results):
    by_id = {row["series"]: row for row in macro_results["trend"]}
    assert len(by_id) == len(macro_results["series"])
    for s in macro_results["series"]:
        row = by_id[s["id"]]
        points = s["points"]
        times = [p["t"] for p in points]
        slope, statistic = trend_proportion([p["num"] for p in points], [p["den"] for p in points], times)
        assert row["proportion_slope"] == pytest.approx(slope, rel=1e-9, abs=1e-12)
        if math.isnan(statistic):
            assert row["proportion_chi2"] is None
        else:
            assert row["proportion_chi2"] == pytest.approx(statistic, rel=1e-8, abs=1e-9)
        slope, statistic = trend_weighted([p["value"] for p in points], [p["lo"] for p in points],
                                          [p["hi"] for p in points], times)
        assert row["weighted_slope"] == pytest.approx(slope, rel=1e-8, abs=1e-12)
        assert row["weighted_chi2"] == pytest.approx(statistic, rel=1e-8, abs=1e-9)
    assert by_id[100]["proportion_chi2"] == pytest.approx(1 / 0.1056)
    # values 100..140 with SE 1: slope 10 a year, chi2 = 10^2 * D / sum(w) = 100 * 50 / 5
    assert by_id[100]["weighted_slope"] == pytest.approx(10.0)
    assert by_id[100]["weighted_chi2"] == pytest.approx(1000.0)
    assert by_id[101]["proportion_chi2"] == pytest.approx(8.2249, abs=5e-5)  # R's example
    assert by_id[102]["proportion_chi2"] is None  # 0% every year: no variance


def test_trend_label_macro_matches_the_reference(macro_results):
    labels = [row["label"] for row in macro_results["label"]]
    for (chi2, slope, polarity, enough), label in zip(macro_results["label_cases"], labels):
        # a NULL statistic with enough points (no variance) is NaN in the reference
        expected = "cannot_be_calculated" if not enough else trend_label(
            math.nan if chi2 is None else chi2, 0.0 if slope is None else slope,
            polarity if polarity != "no_polarity" else None)
        assert label == expected, (chi2, slope, polarity, enough)
    assert labels[:6] == ["increasing_and_getting_worse", "decreasing_and_getting_better",
                          "increasing_and_getting_better", "decreasing_and_getting_worse",
                          "increasing", "decreasing"]


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
