"""The RA layout at realistic size: reading the RA tables of a year and deriving its records.

    .venv/bin/python bench/ra_build.py --scale 1 --year 2024 --extra-persons 0 3 10 --repeat 3

For each --extra-persons (persons the monitor does not need, as a multiple of those it does:
0 is the baseline, 3 the demo's realistic share, 10 towards the 17 million persons of the real
population tables), the demo writes one year's RA layout (births at --scale, about 170,000 at 1)
under --workdir; then, in a fresh process per repeat, the warehouse reads every table into
`raw_ra` (rows and seconds per table) and runs the dbt models of the RA layout (tag
`ra_layout`), with the peak memory of the process tree. It prints medians and the ratio of each
size to the baseline measured in the same run: the cost of the persons the build filters out.
The layout's own writing time is printed but is not the subject.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from procmem import run_sampled  # noqa: E402

CHILD = r"""
import json, sys, time
from pathlib import Path
import duckdb
from orchestration.ra.layout import parse_layout
from orchestration.ra.records import build_records, refresh_raw_ra
from orchestration.resources import build_resources
from orchestration.settings import Paths
from demo import reference

home, year = Path(sys.argv[1]), int(sys.argv[2])
paths = Paths(home)
layout = parse_layout((home / "ra_layout.toml").read_text())
tables = {}
with duckdb.connect(str(paths.warehouse)) as con:
    con.execute("CREATE SCHEMA IF NOT EXISTS raw")
    con.execute("CREATE OR REPLACE TABLE raw.regions (classification_year INTEGER, gemeente_code VARCHAR)")
    con.executemany("INSERT INTO raw.regions VALUES (?, ?)", [(year, g.code) for g in reference.classification(year)])
    for name in layout.tables:
        one = type(layout)(roots=layout.roots, tables={name: layout.tables[name]})
        start = time.process_time(), time.perf_counter()
        read = refresh_raw_ra(con, one, year)
        tables[name] = {"rows": sum(t.rows for t in read), "cpu": time.process_time() - start[0],
                        "wall": time.perf_counter() - start[1]}
start = time.perf_counter()
build_records(build_resources(paths)["dbt"], paths, year, "bench000")
derive = time.perf_counter() - start
print(json.dumps({"tables": tables, "derive_wall": derive}))
"""


def write_layout(workdir: Path, year: int, scale: float, extra: float) -> tuple[Path, float]:
    from demo.ra_layout import layout_toml, write_ra_layout

    home = workdir / f"extra-{extra:g}"
    if not (home / "ra_layout.toml").exists():
        start = time.perf_counter()
        write_ra_layout(home / "ra", [year], scale, 42, extra_persons=extra)
        (home / "ra_layout.toml").write_text(layout_toml(home / "ra"), encoding="utf-8")
        return home, time.perf_counter() - start
    return home, 0.0


def measure(home: Path, year: int) -> dict:
    for stale in (home / "warehouse.duckdb", home / "warehouse.duckdb.wal"):
        stale.unlink(missing_ok=True)
    env = {**os.environ, "KSM_WAREHOUSE": str(home / "warehouse.duckdb"), "KSM_HOME": str(home)}
    log = home / "bench.log"
    sampled = run_sampled([sys.executable, "-c", CHILD, str(home), str(year)], env=env, log=log)
    output = log.read_text(encoding="utf-8", errors="replace")
    if sampled.returncode != 0:
        raise SystemExit(f"the RA build failed (log {log}):\n{output[-3000:]}")
    result = json.loads(output.strip().splitlines()[-1])
    result["peak_gib"] = sampled.peak / 2**30
    result["cpu"] = sampled.cpu
    result["wall"] = sampled.wall
    return result


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=float, default=1.0)
    parser.add_argument("--year", type=int, default=2024)
    parser.add_argument("--extra-persons", type=float, nargs="+", default=[0.0, 3.0])
    parser.add_argument("--repeat", type=int, default=1)
    parser.add_argument("--workdir", type=Path, default=None)
    args = parser.parse_args()
    workdir = args.workdir or Path(tempfile.mkdtemp(prefix="ksm-ra-bench-"))
    runs: dict[float, list[dict]] = {}
    for extra in args.extra_persons:
        home, wrote = write_layout(workdir, args.year, args.scale, extra)
        if wrote:
            print(f"extra persons x{extra:g}: layout written in {wrote:.0f} s ({home})", flush=True)
        runs[extra] = [measure(home, args.year) for _ in range(args.repeat)]

    def med(extra: float, key) -> float:
        return statistics.median(key(r) for r in runs[extra])

    base = args.extra_persons[0]
    print(f"\nRA build of {args.year} at scale {args.scale:g}, median of {args.repeat} (ratios: to x{base:g})")
    print(f"{'table':28s}" + "".join(f"{'x' + format(e, 'g') + ' rows':>14s}{'s':>8s}" for e in args.extra_persons))
    for table in runs[base][0]["tables"]:
        line = f"{table:28s}"
        for extra in args.extra_persons:
            line += f"{runs[extra][0]['tables'][table]['rows']:>14,}{med(extra, lambda r: r['tables'][table]['wall']):>8.2f}"
        print(line)
    print()
    for extra in args.extra_persons:
        read = med(extra, lambda r: sum(t["wall"] for t in r["tables"].values()))
        derive = med(extra, lambda r: r["derive_wall"])
        cpu, peak = med(extra, lambda r: r["cpu"]), med(extra, lambda r: r["peak_gib"])
        ratio = cpu / med(base, lambda r: r["cpu"])
        print(f"x{extra:<5g} read {read:6.1f} s  derive (dbt) {derive:6.1f} s  CPU {cpu:6.1f} s "
              f"(x{ratio:.2f})  peak {peak:.2f} GiB")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
