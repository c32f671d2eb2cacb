"""Building years: which years a request means, running them one by one through the yearly
job, and what the instance remembers of each year's last run. `ksm run` and `ksm status` call
these; the inbox sensor plans through the same `rebuilds.plan_for_home`."""

from __future__ import annotations

import contextlib
import os
import time

from orchestration.errors import UserError
from orchestration.settings import Paths, first_year
from orchestration.sources import ALL_SOURCES
from orchestration.tables import print_table


def _say(line: str) -> None:
    print(line, flush=True)


def parse_years(text: str) -> list[int]:
    """'2017-2024', '2019', or '2017,2019,2021' -> list of years."""
    years: list[int] = []
    try:
        for part in text.split(","):
            part = part.strip()
            if "-" in part:
                lo, hi = (int(x) for x in part.split("-", 1))
                if lo > hi:
                    raise UserError(f"year range {part!r} runs backwards")
                years.extend(range(lo, hi + 1))
            elif part:
                years.append(int(part))
    except ValueError:
        raise UserError(f"years {text!r}: expected e.g. 2017-2026, 2024 or 2019,2021") from None
    return sorted(set(years))


def monitor_first_year() -> int:
    try:
        return first_year()
    except ValueError as exc:
        raise UserError(str(exc)) from None


def years_with_extracts(paths: Paths) -> list[int]:
    """The monitor's years: from the first year on, every year with extracts in the inbox."""
    from orchestration.alerts.inbox import monitor_years

    return monitor_years(paths.inbox, monitor_first_year())


def extracts_present(paths: Paths, year: int) -> list[str]:
    """The sources with an extract for `year`, by the ingest's own rule (extract_files); in the
    RA layout the sources derived from the RA tables count as present (their files are checked
    when the year runs)."""
    from orchestration.assets.ingest.extract_files import extract_files
    from orchestration.ra.records import inbox_sources

    from_inbox = inbox_sources(paths)
    return [s for s in ALL_SOURCES if s not in from_inbox or extract_files(paths.source_dir(s, year))]


def plan_years(paths: Paths, year: int | None, say=None) -> list:
    """The years to build: `year` (None: every year with extracts) and the released years it
    changes (rebuilds.py), oldest first; notes and rebuilds are said as they are found."""
    say = say or _say
    from orchestration.assets.ingest.extract_files import ExtractRejected
    from orchestration.assets.ingest.regions import classification_file
    from orchestration.rebuilds import plan_for_home

    available = years_with_extracts(paths)
    if year is None:
        if not available:
            raise UserError(f"no extracts in {paths.inbox}: write some with `ksm demo-data` or drop a delivery")
        requested = available
    else:
        first = monitor_first_year()
        if year < first:
            raise UserError(f"{year} is before the monitor's first year {first} (KSM_FIRST_YEAR)")
        if year not in available:
            raise UserError(f"no extracts for {year}: drop the year's deliveries in "
                            f"{paths.inbox / '<source>' / str(year)}{os.sep} (or write demo data: "
                            f"`ksm demo-data --years {year}`)")
        requested = [year]
    plan, notes = plan_for_home(paths, requested, available)
    for note in notes:
        say(f"note: {note}")
    for run in plan:
        try:
            classification_file(paths.inbox / "regions", run.year)
        except ExtractRejected as exc:
            raise UserError(str(exc)) from None
    rebuilt = [run for run in plan if run.reason]
    for run in rebuilt:
        say(f"also rebuilding {run.year}: {run.reason}")
    return plan


def run_years(paths: Paths, job, instance, plan: list, say=None, reload: bool = False) -> int:
    from orchestration.dbt_invocation import warm_dbt_args
    from orchestration.dbt_server import warm_dbt
    from orchestration.instance_connections import held_connections
    from orchestration.partitions import register_years

    say = say or _say
    register_years(instance, [run.year for run in plan])
    # Dagster's SQLite storages otherwise open a connection per statement, ~2,000 a year; one
    # dbt process, started now and warm by the first build, runs every build of the plan
    with held_connections(instance), warm_dbt(*warm_dbt_args(paths)):
        summary = [_run_year(paths, job, instance, run, say, reload) for run in plan]
    say("")
    print_table(["year", "status", "version", "time", "run_id"], summary)
    blocked = [str(r[0]) for r in summary if r[1] == "BLOCKED"]
    if blocked:
        say(f"\nnot released: {', '.join(blocked)}. Check results in {paths.home / 'quality'}/<year>/<run_id>/; "
              "details in the Dagster UI (make dev), runs listed above.")
        return 1
    say(f"\npublished: {paths.published}")
    return 0


def _run_year(paths: Paths, job, instance, run, say, reload: bool) -> tuple:
    """One year's run of the job; its line of the summary table. `reload`: every extract is
    loaded again, also those unchanged since their last load."""
    from orchestration.assets.ingest.reuse import RELOAD_TAG
    from orchestration.assets.release.publish import REBUILD_REASON_TAG
    from orchestration.run_guard import run_tags
    from orchestration.run_outcome import read_run_outcome

    year = run.year
    started = time.monotonic()
    because = f" (rebuild: {run.reason})" if run.reason else ""
    say(f"== {year}: ingest, dbt build and tests, release{because}")
    # dbt's own event stream goes to a log file; the terminal gets one line per step
    log_file = paths.home / "logs" / f"run-{year}.log"
    log_file.parent.mkdir(parents=True, exist_ok=True)
    with log_file.open("w", encoding="utf-8") as sink, contextlib.redirect_stdout(sink):
        result = job.execute_in_process(
            partition_key=str(year), instance=instance, raise_on_error=False,
            run_config={"loggers": {"console": {"config": {"log_level": "CRITICAL"}}}},
            tags={"ksm/started_by": "ksm run", **run_tags(),
                  **({REBUILD_REASON_TAG: run.reason} if run.reason else {}),
                  **({RELOAD_TAG: "true"} if reload else {})},
        )
    seconds = time.monotonic() - started
    if result.success:
        release = [e.materialization for e in result.get_asset_materialization_events()
                   if e.asset_key.path == ["release", "published_year"]]
        meta = release[-1].metadata if release else {}
        version = meta.get("version").value if meta.get("version") else "?"
        new = meta.get("new_version").value if meta.get("new_version") else False
        line = (year, "released" if new else "unchanged", f"v{version}", f"{seconds:.0f}s", result.run_id)
    else:
        for failure in read_run_outcome(instance, result.run_id).failure_lines():
            say(f"  FAILED {failure}")
        say(f"  dbt output: {log_file}")
        line = (year, "BLOCKED", "-", f"{seconds:.0f}s", result.run_id)
    _notify(paths, instance, result.run_id, say)
    return line


def _notify(paths: Paths, instance, run_id: str, say) -> None:
    """Deliver the run's alerts before going on, so alerts work without the daemon."""
    from orchestration.alerts import notify_run

    report = notify_run(paths, instance, run_id)
    for problem in report.problems:
        say(f"  alerts: {problem}")
    if report.recorded or report.failed:
        say(f"  alerts: {report.summary()} (ksm alerts)")


def last_runs(paths: Paths, years: list[int]) -> dict[int, tuple]:
    """The latest run of each year; registers the years as partitions, so the UI shows them."""
    from dagster import DagsterInstance, RunsFilter

    from orchestration.partitions import register_years
    from orchestration.run_outcome import read_run_outcome

    instance = DagsterInstance.get()
    register_years(instance, years)
    found = {}
    for year in years:
        records = instance.get_run_records(
            filters=RunsFilter(tags={"dagster/partition": str(year)}), limit=1
        )
        if not records:
            continue
        record = records[0]
        outcome = read_run_outcome(instance, record.dagster_run.run_id)
        when = record.create_timestamp.astimezone().strftime("%Y-%m-%d %H:%M")
        found[year] = (record.dagster_run.status.value.lower(), when, outcome.passed, len(outcome.blocking),
                       len(outcome.warnings))
    return found


def births_placed(instance, year: int) -> dict[str, int] | None:
    """How the year's births were placed when it was last derived from the RA tables (the
    metadata of its latest raw/ra_records materialisation), or None (extract layout, not run)."""
    from dagster import AssetKey, AssetRecordsFilter

    result = instance.fetch_materializations(
        AssetRecordsFilter(asset_key=AssetKey(["raw", "ra_records"]), asset_partitions=[str(year)]), limit=1)
    if not result.records:
        return None
    entry = result.records[0].asset_materialization.metadata.get("births_placed")
    return dict(entry.value) if entry is not None else None


STATUS_COLUMNS = ["year", "extracts", "last run", "checks ok/failed", "released", "classification",
                  "placed adres/terugval/geen"]


def year_status(paths: Paths) -> list[tuple]:
    """A row per year with extracts or a release (STATUS_COLUMNS): its extracts, its last run
    and that run's checks, its latest release and the classification that release is on, and in
    the RA layout how its births were placed (by address, by the fallback, not at all)."""
    import duckdb

    from orchestration.assets.release.publish import released_classification

    releases: dict[int, int] = {}
    if paths.published.exists():
        with contextlib.closing(duckdb.connect(str(paths.published), read_only=True)) as con:
            releases = dict(con.execute("SELECT year, max(version) FROM releases GROUP BY year").fetchall())
    years = sorted(set(years_with_extracts(paths)) | set(releases))
    runs = last_runs(paths, years) if years else {}
    from dagster import DagsterInstance

    from orchestration.ra.records import PLACEMENTS, uses_ra_layout

    instance, ra_layout = DagsterInstance.get(), uses_ra_layout(paths)
    rows = []
    for year in years:
        run = runs.get(year)
        placed = births_placed(instance, year) if run and ra_layout else None
        rows.append((
            year,
            f"{len(extracts_present(paths, year))}/{len(ALL_SOURCES)}",
            f"{run[0]} {run[1]}" if run else "-",
            (f"{run[2]}/{run[3]}" + (f" ({run[4]} warn)" if run[4] else "")) if run else "-",
            f"v{releases[year]}" if year in releases else "-",
            (released_classification(paths, year) or "-") if year in releases else "-",
            "/".join(f"{placed.get(k, 0):,}" for k in PLACEMENTS) if placed else "-",
        ))
    return rows
