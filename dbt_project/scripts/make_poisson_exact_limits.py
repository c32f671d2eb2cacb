"""Write seeds/poisson_exact_limits.csv: exact (Garwood) Poisson limits for counts 0-9.

DuckDB SQL has no chi-square quantile function, so the exact limits used for rates with fewer
than 10 events are precomputed here with scipy and loaded as a dbt seed. The limits are for the
count; the mart divides them by the denominator and scales them like the rate:

    lower = chi2.ppf(alpha / 2, 2 k) / 2          (0 for k = 0)
    upper = chi2.ppf(1 - alpha / 2, 2 k + 2) / 2

Run from the repository root (the seed is checked in; tests/test_statistics.py checks it
against scipy, an independent bisection and published values):

    .venv/bin/python dbt_project/scripts/make_poisson_exact_limits.py
"""

from __future__ import annotations

import csv
from pathlib import Path

from scipy.stats import chi2

SEED = Path(__file__).resolve().parent.parent / "seeds" / "poisson_exact_limits.csv"
MAX_EVENTS = 9
LEVELS = {"95": 0.95, "998": 0.998}


def limits(events: int, confidence: float) -> tuple[float, float]:
    alpha = 1 - confidence
    lower = 0.0 if events == 0 else chi2.ppf(alpha / 2, 2 * events) / 2
    upper = chi2.ppf(1 - alpha / 2, 2 * events + 2) / 2
    return float(lower), float(upper)


def rows() -> list[list]:
    table = []
    for events in range(MAX_EVENTS + 1):
        row: list = [events]
        for confidence in LEVELS.values():
            row.extend(f"{bound:.8f}" for bound in limits(events, confidence))
        table.append(row)
    return table


def main() -> None:
    with SEED.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(["events", "lower_95", "upper_95", "lower_998", "upper_998"])
        writer.writerows(rows())
    print(f"wrote {SEED}")


if __name__ == "__main__":
    main()
