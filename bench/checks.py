"""The quality suites of one built year: CPU seconds per suite, row-level expectations in DuckDB
(as the checks run them) against Great Expectations evaluating the whole suite (the baseline),
measured in the same process, alternately.

    export KSM_HOME=$(mktemp -d)
    .venv/bin/ksm demo-data --years 2023-2024 --scale 1 && .venv/bin/ksm run --all
    .venv/bin/python bench/checks.py --year 2024 --repeat 3

Reads the year's slices from `$KSM_HOME`'s warehouse (read-only) exactly as the checks do
(`slices.py`), validates each with `suites.validate_frame` both ways, and prints per suite the
rows, the median CPU seconds of each way, their ratio, and whether both ways failed the same
expectations with the same severity (the tests compare counts and examples too). GX is imported (and warmed on a small frame) before timing.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))


def _cpu(fn):
    started = time.process_time()
    result = fn()
    return time.process_time() - started, result


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--year", type=int, required=True)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()

    import duckdb

    from orchestration.assets.quality import slices
    from orchestration.assets.quality.suites import row_count_band_setting, validate_frame
    from orchestration.settings import Paths
    from orchestration.sources import YEARLY_SOURCES

    os.environ.setdefault("GX_ANALYTICS_ENABLED", "false")
    paths = Paths.from_env()
    with duckdb.connect(str(paths.warehouse), read_only=True) as con:
        cases = [(s, slices.source_frame(con, s, args.year), None) for s in YEARLY_SOURCES]
        cases = [(s, f, slices.source_parameters(con, s, args.year, row_count_band_setting(s))) for s, f, _ in cases]
        values = slices.mart_frame(con, args.year)
        cases.append(("indicator_values", values, slices.mart_parameters(con, values)))
        cases += [(m, slices.reference_frame(con, m), slices.reference_parameters(con, m))
                  for m in slices.REFERENCE_MARTS]
    validate_frame(cases[0][0], cases[0][1].head(10), cases[0][2])  # GX's import, not timed

    print(f"quality suites of {args.year} in {paths.home}, median CPU s of {args.repeat} run(s) each way")
    print(f"{'suite':<18}{'rows':>10}{'all in GX':>11}{'rows in DuckDB':>16}{'ratio':>8}  same failures")
    totals = [0.0, 0.0]
    for name, frame, parameters in cases:
        timings: dict[bool, list[float]] = {False: [], True: []}
        verdicts = {}
        for _ in range(args.repeat):
            for in_duckdb in (False, True):
                seconds, outcome = _cpu(lambda: validate_frame(name, frame, parameters, rows_in_duckdb=in_duckdb))
                timings[in_duckdb].append(seconds)
                verdicts[in_duckdb] = sorted((f.expectation, f.severity) for f in outcome.failed)
        gx, split = statistics.median(timings[False]), statistics.median(timings[True])
        totals[0] += gx
        totals[1] += split
        same = "yes" if verdicts[False] == verdicts[True] else f"NO: {verdicts[False]} / {verdicts[True]}"
        print(f"{name:<18}{len(frame):>10,}{gx:>11.2f}{split:>16.2f}{gx / split if split else 0:>8.1f}  {same}")
    print(f"{'all suites':<18}{'':>10}{totals[0]:>11.2f}{totals[1]:>16.2f}{totals[0] / totals[1]:>8.1f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
