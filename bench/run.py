"""Benchmark of a yearly build: what users run, per stage, against plain DuckDB (the floor).

    .venv/bin/python bench/run.py --scale 1 --repeat 3            # the eight years 2017-2024
    .venv/bin/python bench/run.py --scale 0.01 --years 2023-2024 --repeat 1   # smoke run

Per repeat, in a fresh KSM_HOME under --workdir:
1. full build: `ksm run --all` from an empty warehouse (ingest, dbt, checks, release of every
   year), the demo extracts written once beforehand by `ksm demo-data`;
2. rebuild: one value of the last year's Perined extract changed (a corrected delivery), then
   `ksm run --year <last>`: a real rebuild of that year, ending in a new release version.
Wall time and peak RSS of the whole process tree (sampled from /proc) per command, and per stage
(ingest, dbt, checks, release, and the rest: start-up and orchestration) from the step start and
end events in the Dagster event log of the runs.

Then the floor (bench/floor.py): dbt's compiled SQL of every model upstream of indicator_values,
per year in dependency order (compiled year by year in a scratch copy where each year's SQL
runs first), as one plain SQL script run in one DuckDB connection on a copy of the raw tables;
its indicator_values must equal the warehouse's. Then the limit (bench/limit.py):
the least SQL for the same birth cells (one scan per source, one GROUPING SETS aggregation, the
region levels and pooled periods summed from the cells) from the same raw tables, one process;
its counts must equal the warehouse's; and a DuckDB scan of the extracts' CSVs. Ratios in CPU
seconds: full/limit and floor/limit next to full/floor. Then ten typical analyst queries on
published/monitor.duckdb. Medians over the repeats; results also in
<workdir>/results.json. The last line printed is `ratio_full_build_over_floor=<x>`.
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import os
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from floor import parse_years  # noqa: E402
from procmem import Sampled, run_sampled  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
STAGES = ("ingest", "dbt", "checks", "release", "other")
GIB = 1024 ** 3

# Ten questions analysts ask of the released marts (docs/performance.md lists them).
ANALYST_QUERIES = {
    "national series of one indicator":
        "select period, value, ci95_lower, ci95_upper from indicator_values where indicator_code = 'big2' "
        "and region_level = 'nederland' and breakdown = 'total' order by period",
    "one gemeente, every indicator, latest year":
        "select indicator_code, value, compared_to_nl, trend from indicator_values where region_code = 'GM0363' "
        "and breakdown = 'total' and period = (select max(period) from indicator_values where year_from = year_to)",
    "ranking of gemeenten":
        "select region_name, value from indicator_values where indicator_code = 'preterm' and region_level = 'gemeente' "
        "and breakdown = 'total' and year_from = year_to and year_to = (select max(year_to) from indicator_values) "
        "and value is not null order by value desc limit 20",
    "breakdown by income, Nederland, all years":
        "select period, breakdown_category, value from indicator_values where indicator_code = 'big2' "
        "and region_level = 'nederland' and breakdown = 'income_quintile' order by period, breakdown_category",
    "count of suppressed cells per level and year":
        "select year_to, region_level, count(*) filter (where suppressed) as withheld, count(*) as cells "
        "from indicator_values group by all order by all",
    "gemeenten worse than Nederland":
        "select indicator_code, count(*) from indicator_values where compared_to_nl = 'worse' "
        "and region_level = 'gemeente' and breakdown = 'total' group by 1 order by 2 desc",
    "pooled period per GGD-regio":
        "select region_name, indicator_code, value from indicator_values where year_from < year_to "
        "and region_level = 'ggd_regio' and breakdown = 'total' order by region_name, indicator_code",
    "join with the indicator catalogue":
        "select i.*, v.value from indicators i join indicator_values v using (indicator_code) "
        "where v.region_level = 'provincie' and v.breakdown = 'total' and v.year_from = v.year_to",
    "trends that got worse":
        "select region_level, indicator_code, count(*) from indicator_values "
        "where trend like '%getting_worse' group by all order by all",
    "everything for one year (an export)":
        "select * from indicator_values where year_to = (select max(year_to) from indicator_values)",
}


class BenchError(Exception):
    pass


def log(message: str) -> None:
    print(message, flush=True)


def ksm_env(home: Path) -> dict:
    env = dict(os.environ)
    env.update(KSM_HOME=str(home), KSM_WAREHOUSE=str(home / "warehouse.duckdb"),
               DAGSTER_HOME=str(home / "dagster"))
    return env


def run_checked(cmd: list[str], env: dict, log_file: Path, what: str) -> Sampled:
    result = run_sampled(cmd, env, log_file)
    if result.returncode != 0:
        tail = log_file.read_text(errors="replace").strip().splitlines()[-15:]
        raise BenchError(f"{what} failed (exit {result.returncode}); last lines of {log_file}:\n  "
                         + "\n  ".join(tail))
    return result


# ---------------------------------------------------------------- stages from the event log


def stage_of(step_key: str) -> str:
    """Dagster step key -> stage. Asset steps are named by their key ('raw__perined')."""
    if step_key.startswith("raw__"):
        return "ingest"
    if step_key.startswith("dbt_"):
        return "dbt"
    if "quality_checks" in step_key:
        return "checks"
    if step_key.startswith("release"):
        return "release"
    return "other"


def step_windows(dagster_home: Path, since: float) -> list[tuple[str, float, float]]:
    """(stage, start, end) of every step of the runs started after `since` (unix time)."""
    from dagster import DagsterEventType, DagsterInstance

    instance = DagsterInstance.from_config(str(dagster_home))
    windows = []
    try:
        for record in instance.get_run_records():
            if record.create_timestamp.timestamp() < since - 1:
                continue
            starts: dict[str, float] = {}
            for entry in instance.all_logs(record.dagster_run.run_id, of_type={
                    DagsterEventType.STEP_START, DagsterEventType.STEP_SUCCESS, DagsterEventType.STEP_FAILURE}):
                key = entry.step_key
                if entry.dagster_event.event_type == DagsterEventType.STEP_START:
                    starts[key] = entry.timestamp
                elif key in starts:
                    windows.append((stage_of(key), starts.pop(key), entry.timestamp))
    finally:
        instance.dispose()
    return windows


def stage_costs(sampled: Sampled, windows) -> dict:
    """Seconds and peak RSS (GiB) per stage; 'other' is wall time outside every step."""
    costs = {s: {"seconds": 0.0, "peak_gib": 0.0} for s in STAGES}
    for stage, start, end in windows:
        costs[stage]["seconds"] += end - start
        costs[stage]["peak_gib"] = max(costs[stage]["peak_gib"], sampled.peak_between(start, end) / GIB)
    inside = sum(c["seconds"] for s, c in costs.items() if s != "other")
    costs["other"]["seconds"] = max(0.0, sampled.wall - inside)
    costs["other"]["peak_gib"] = sampled.peak / GIB  # the whole command, for reference
    return costs


# ---------------------------------------------------------------- the steps


def change_one_value(inbox: Path, year: int) -> str:
    """A corrected delivery: the mother's age of the first Perined record of `year` changes.
    The file is replaced (not edited in place), so a hard-linked template stays as it was."""
    folder = inbox / "perined" / str(year)
    path = next(p for p in sorted(folder.iterdir()) if p.suffix.lower() in (".csv", ".txt"))
    raw = path.read_bytes()
    bom = raw.startswith(b"\xef\xbb\xbf")
    text = raw.decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text, newline=""), delimiter=";"))
    column = [h.strip() for h in rows[0]].index("leeftijd_moeder")
    old = int(rows[1][column])
    rows[1][column] = str(old - 1 if old > 30 else old + 1)
    buffer = io.StringIO(newline="")
    csv.writer(buffer, delimiter=";", lineterminator="\n").writerows(rows)
    path.unlink()
    path.write_bytes((b"\xef\xbb\xbf" if bom else b"") + buffer.getvalue().encode("utf-8"))
    return f"perined {year}, first record: leeftijd_moeder {old} -> {rows[1][column]}"


def build_once(template: Path, home: Path, years: list[int], rebuild_too: bool = True) -> dict:
    if home.exists():
        shutil.rmtree(home)
    home.mkdir(parents=True)
    shutil.copytree(template, home / "inbox", copy_function=os.link)
    env = ksm_env(home)
    ksm = str(BIN / "ksm")

    log(f"    ksm run --all (progress: {home / 'bench-full.log'}) ...")
    since = time.time()
    full = run_checked([ksm, "run", "--all"], env, home / "bench-full.log", "ksm run --all")
    full_stages = stage_costs(full, step_windows(home / "dagster", since))
    found = {"full": {"seconds": full.wall, "cpu_seconds": full.cpu, "peak_gib": full.peak / GIB,
                      "stages": full_stages}}
    if not rebuild_too:
        return found

    change = change_one_value(home / "inbox", years[-1])
    log(f"    ksm run --year {years[-1]} after a corrected delivery (progress: {home / 'bench-rebuild.log'}) ...")
    since = time.time()
    rebuild = run_checked([ksm, "run", "--year", str(years[-1])], env, home / "bench-rebuild.log",
                          f"ksm run --year {years[-1]}")
    rebuild_stages = stage_costs(rebuild, step_windows(home / "dagster", since))
    if "released" not in (home / "bench-rebuild.log").read_text():
        raise BenchError(f"the rebuild of {years[-1]} made no new release; see {home / 'bench-rebuild.log'}")
    return {**found, "rebuild": {"seconds": rebuild.wall, "cpu_seconds": rebuild.cpu, "peak_gib": rebuild.peak / GIB,
                                 "stages": rebuild_stages, "change": change}}


def floor_runs(home: Path, workdir: Path, years: list[int], repeat: int) -> dict:
    py = sys.executable
    script = str(ROOT / "bench" / "floor.py")
    out = workdir / "floor"
    warehouse = str(home / "warehouse.duckdb")
    env = dict(os.environ)
    started = time.monotonic()
    log("  floor: dbt compiles the SQL of every model, year by year in a scratch copy ...")
    run_checked([py, script, "compile", "--warehouse", warehouse, "--years", f"{years[0]}-{years[-1]}",
                 "--out", str(out)], env, workdir / "floor-compile.log", "floor compile")
    log(f"  floor script compiled by dbt in {time.monotonic() - started:.0f}s -> {out / 'floor.sql'}")
    db = str(out / "warehouse.duckdb")
    runs = []
    for i in range(repeat):
        run_checked([py, script, "setup", "--warehouse", warehouse, "--db", db], env, workdir / "floor-setup.log",
                    "floor setup")
        sampled = run_checked([py, script, "run", "--db", db, "--script", str(out / "floor.sql")], env,
                              workdir / "floor-run.log", "floor run")
        runs.append({"seconds": sampled.wall, "cpu_seconds": sampled.cpu, "peak_gib": sampled.peak / GIB})
        log(f"  floor run {i + 1}/{repeat}: {sampled.wall:.1f}s ({sampled.cpu:.1f} CPU s), "
            f"peak {sampled.peak / GIB:.2f} GiB")
    compared = run_sampled([py, script, "compare", "--warehouse", warehouse, "--db", db], env,
                           workdir / "floor-compare.log")
    verdict = (workdir / "floor-compare.log").read_text().strip()
    log(f"  {verdict}")
    if compared.returncode != 0:
        raise BenchError(f"the floor does not reproduce indicator_values: {verdict}")
    return {"runs": runs, "seconds": statistics.median(r["seconds"] for r in runs),
            "cpu_seconds": statistics.median(r["cpu_seconds"] for r in runs),
            "peak_gib": max(r["peak_gib"] for r in runs), "equal_to_warehouse": True}


def limit_runs(home: Path, workdir: Path, repeat: int) -> dict:
    """bench/limit.py: the least SQL for the same birth cells, from the same raw tables as the
    floor, one process; its counts must equal the warehouse's. Also the scan of the extracts."""
    py = sys.executable
    script = str(ROOT / "bench" / "limit.py")
    db = str(workdir / "limit" / "limit.duckdb")
    warehouse = str(home / "warehouse.duckdb")
    env = dict(os.environ)
    runs, scans = [], []
    for i in range(repeat):
        run_checked([py, script, "setup", "--warehouse", warehouse, "--db", db], env, workdir / "limit-setup.log",
                    "limit setup")
        sampled = run_checked([py, script, "run", "--db", db], env, workdir / "limit-run.log", "limit run")
        runs.append({"seconds": sampled.wall, "cpu_seconds": sampled.cpu, "peak_gib": sampled.peak / GIB})
        scan = run_checked([py, script, "scan", "--inbox", str(home / "inbox")], env, workdir / "limit-scan.log",
                           "limit scan")
        scans.append({"seconds": scan.wall, "cpu_seconds": scan.cpu})
        log(f"  limit run {i + 1}/{repeat}: {sampled.wall:.1f}s ({sampled.cpu:.1f} CPU s), peak "
            f"{sampled.peak / GIB:.2f} GiB; scan of the CSVs {scan.wall:.1f}s ({scan.cpu:.1f} CPU s)")
    compared = run_sampled([py, script, "compare", "--warehouse", warehouse, "--db", db], env,
                           workdir / "limit-compare.log")
    verdict = (workdir / "limit-compare.log").read_text().strip()
    log(f"  {verdict}")
    if compared.returncode != 0:
        raise BenchError(f"the limit does not reproduce the warehouse's counts: {verdict}")
    return {"runs": runs, "scans": scans, "seconds": statistics.median(r["seconds"] for r in runs),
            "cpu_seconds": statistics.median(r["cpu_seconds"] for r in runs),
            "peak_gib": max(r["peak_gib"] for r in runs),
            "scan_seconds": statistics.median(r["seconds"] for r in scans),
            "scan_cpu_seconds": statistics.median(r["cpu_seconds"] for r in scans),
            "verdict": verdict, "equal_to_warehouse": True}


def analyst_latency(published: Path, repeat: int = 3) -> dict:
    """Each query on a fresh read-only connection (as `ksm query` opens one); median of `repeat`."""
    import duckdb

    timings = {}
    for name, sql in ANALYST_QUERIES.items():
        seconds = []
        for _ in range(repeat):
            started = time.perf_counter()
            con = duckdb.connect(str(published), read_only=True)
            con.execute(sql).fetchall()
            con.close()
            seconds.append(time.perf_counter() - started)
        timings[name] = statistics.median(seconds)
    values = sorted(timings.values())
    return {"queries": timings, "median_ms": statistics.median(values) * 1000, "worst_ms": values[-1] * 1000}


# ---------------------------------------------------------------- report


def median_costs(builds: list[dict], part: str) -> dict:
    return {
        "seconds": statistics.median(b[part]["seconds"] for b in builds),
        "cpu_seconds": statistics.median(b[part]["cpu_seconds"] for b in builds),
        "peak_gib": statistics.median(b[part]["peak_gib"] for b in builds),
        "stages": {s: {k: statistics.median(b[part]["stages"][s][k] for b in builds) for k in ("seconds", "peak_gib")}
                   for s in STAGES},
    }


def print_report(result: dict) -> None:
    full, rebuild, floor = result["full"], result["rebuild"], result["floor"]
    log("")
    log(f"scale {result['scale']:g}, years {result['years']}, median of {result['repeat']} run(s); "
        f"{result['machine']}")
    log(f"{'':22}{'full build':>18}" + (f"{'rebuild ' + str(result['rebuild_year']):>20}" if rebuild else ""))
    for stage in (*STAGES, "total"):
        label = {"other": "other (start-up etc.)"}.get(stage, stage)
        line = f"  {label:20}"
        for part in (full, rebuild):
            if part:
                cost = part if stage == "total" else part["stages"][stage]
                line += f"{cost['seconds']:8.1f}s {cost['peak_gib']:5.2f} GiB "
        log(line)
    log(f"  {'CPU seconds':20}" + "".join(f"{p['cpu_seconds']:8.1f}s {'':9}" for p in (full, rebuild) if p))
    if rebuild:
        log(f"  (rebuild input: {result['rebuild_change']}; 'other' peak = the whole command)")
    log(f"floor (plain DuckDB, compiled SQL of every model, one process): {floor['seconds']:.1f}s "
        f"({floor['cpu_seconds']:.1f} CPU s), peak {floor['peak_gib']:.2f} GiB; indicator_values equal to the warehouse's")
    limit = result["limit"]
    log(f"limit (least SQL for the birth cells, one process): {limit['seconds']:.1f}s ({limit['cpu_seconds']:.1f} CPU s), "
        f"peak {limit['peak_gib']:.2f} GiB; scan of the CSVs {limit['scan_seconds']:.1f}s "
        f"({limit['scan_cpu_seconds']:.1f} CPU s); counts equal to the warehouse's")
    a = result["analyst"]
    log(f"analyst queries on published/monitor.duckdb: median {a['median_ms']:.0f} ms, worst {a['worst_ms']:.0f} ms")
    t = result["targets"]

    def verdict(ok) -> str:
        return "n/a" if ok is None else ("met" if ok else "MISSED")

    log("")
    log(f"{'CPU seconds':34}{'full':>9}{'floor':>9}{'limit':>9}{'scan':>9}")
    log(f"{'':34}{full['cpu_seconds']:9.1f}{floor['cpu_seconds']:9.1f}{limit['cpu_seconds']:9.1f}"
        f"{limit['scan_cpu_seconds']:9.1f}")
    log(f"{'ratio (CPU s)':34}{'now':>9}{'target':>9}  verdict")
    log(f"{'  full/floor':34}{result['cpu_ratio']:9.2f}{'':>9}")
    log(f"{'  full/limit':34}{result['cpu_full_over_limit']:9.2f}{'<= 4':>9}  {verdict(t['full_ok'])}")
    log(f"{'  full/(limit+scan)':34}{result['cpu_full_over_limit_with_scan']:9.2f}")
    log(f"{'  floor/limit':34}{result['cpu_floor_over_limit']:9.2f}{'<= 2':>9}  {verdict(t['floor_ok'])}")
    if rebuild:
        log(f"{'rebuild ' + str(result['rebuild_year']) + ' (wall s)':34}{rebuild['seconds']:9.1f}{'< 15':>9}  "
            f"{verdict(t['rebuild_ok'])}")
    log(f"{'peak memory (GiB)':34}{t['peak_gib']:9.2f}{'<= 4':>9}  {verdict(t['memory_ok'])} (this scale)")
    log(f"{'analyst queries, median (ms)':34}{a['median_ms']:9.0f}{'< 50':>9}  {verdict(t['analyst_ok'])}")
    log(f"CPU seconds are steadier than wall time on a shared machine; wall: full/floor {result['ratio']:.2f}")
    log(f"results: {result['results_file']}")
    log(f"ratio_full_build_over_floor={result['ratio']:.2f}")


def machine() -> str:
    cores = os.cpu_count()
    mem = next((int(line.split()[1]) * 1024 for line in Path("/proc/meminfo").read_text().splitlines()
                if line.startswith("MemTotal")), 0)
    load = os.getloadavg()[0]
    return f"{cores} cores, {mem / GIB:.0f} GiB RAM, load {load:.1f} at the end"


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="bench/run.py", description=__doc__.split("\n\n")[0])
    parser.add_argument("--scale", type=float, default=1.0)
    parser.add_argument("--years", type=parse_years, default="2017-2024", help="e.g. 2017-2024 or 2024")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--workdir", help="where the homes go (default: a new folder under the temp dir)")
    parser.add_argument("--keep", action="store_true", help="keep the homes of every repeat (default: the last)")
    parser.add_argument("--no-rebuild", dest="rebuild", action="store_false",
                        help="skip the rebuild of the last year (quicker smoke runs)")
    args = parser.parse_args(argv)
    years = args.years
    workdir = Path(args.workdir or tempfile.mkdtemp(prefix=f"ksm-bench-{args.scale:g}-")).resolve()
    workdir.mkdir(parents=True, exist_ok=True)
    log(f"benchmark: scale {args.scale:g}, years {years[0]}-{years[-1]}, {args.repeat} repeat(s), in {workdir}")
    try:
        template = workdir / "template"
        if template.exists():
            shutil.rmtree(template)
        started = time.monotonic()
        run_checked([str(BIN / "ksm"), "demo-data", "--years", f"{years[0]}-{years[-1]}", "--scale", str(args.scale),
                     "--seed", str(args.seed)], ksm_env(template), workdir / "demo-data.log", "ksm demo-data")
        log(f"  demo extracts written in {time.monotonic() - started:.0f}s (not part of any timing)")
        builds = []
        for i in range(args.repeat):
            home = workdir / f"home-{i + 1}"
            build = build_once(template / "inbox", home, years, args.rebuild)
            builds.append(build)
            rebuilt = f", rebuild {years[-1]} {build['rebuild']['seconds']:.1f}s" if args.rebuild else ""
            log(f"  run {i + 1}/{args.repeat}: full build {build['full']['seconds']:.1f}s "
                f"(peak {build['full']['peak_gib']:.2f} GiB){rebuilt}")
            if i and not args.keep:
                shutil.rmtree(workdir / f"home-{i}", ignore_errors=True)
        last_home = workdir / f"home-{args.repeat}"
        floor = floor_runs(last_home, workdir, years, args.repeat)
        limit = limit_runs(last_home, workdir, args.repeat)
        analyst = analyst_latency(last_home / "published" / "monitor.duckdb")
    except BenchError as exc:
        print(f"bench: {exc}", file=sys.stderr)
        return 1

    full = median_costs(builds, "full")
    rebuild = median_costs(builds, "rebuild") if args.rebuild else None
    peak = max(b[part]["peak_gib"] for b in builds for part in ("full", "rebuild") if part in b)
    result = {
        "scale": args.scale, "years": f"{years[0]}-{years[-1]}", "repeat": args.repeat, "machine": machine(),
        "rebuild_year": years[-1] if args.rebuild else None,
        "rebuild_change": builds[-1]["rebuild"]["change"] if args.rebuild else None,
        "full": full, "rebuild": rebuild, "floor": floor, "limit": limit, "analyst": analyst, "runs": builds,
        "ratio": full["seconds"] / floor["seconds"],
        "cpu_ratio": full["cpu_seconds"] / max(floor["cpu_seconds"], 1e-9),
        "cpu_full_over_limit": full["cpu_seconds"] / max(limit["cpu_seconds"], 1e-9),
        "cpu_floor_over_limit": floor["cpu_seconds"] / max(limit["cpu_seconds"], 1e-9),
        "cpu_full_over_limit_with_scan": full["cpu_seconds"] / max(limit["cpu_seconds"] + limit["scan_cpu_seconds"], 1e-9),
        "targets": {
            "full_ok": full["cpu_seconds"] <= 4 * limit["cpu_seconds"],
            "floor_ok": floor["cpu_seconds"] <= 2 * limit["cpu_seconds"],
            "rebuild_ok": rebuild["seconds"] < 15 if rebuild else None,
            "peak_gib": max(peak, floor["peak_gib"], limit["peak_gib"]),
            "memory_ok": max(peak, floor["peak_gib"], limit["peak_gib"]) <= 4.0,
            "analyst_ok": analyst["median_ms"] < 50,
        },
        "results_file": str(workdir / "results.json"),
    }
    (workdir / "results.json").write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    print_report(result)
    return 0


if __name__ == "__main__":
    sys.exit(main())
