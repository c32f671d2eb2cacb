"""`ksm`: the warehouse from the command line (demo data, runs, status, queries, exports)."""

from __future__ import annotations

import argparse
import contextlib
import csv
import datetime as dt
import json
import logging
import os
import sys
import time
from pathlib import Path

from orchestration.dbt_manifest import DbtParseError, ensure_dbt_manifest
from orchestration.settings import Paths, first_year
from orchestration.sources import ALL_SOURCES


class UserError(Exception):
    """A problem the user can fix; printed as one line, no traceback."""


# ---------------------------------------------------------------- helpers


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


def _first_year() -> int:
    try:
        return first_year()
    except ValueError as exc:
        raise UserError(str(exc)) from None


def years_with_extracts(paths: Paths) -> list[int]:
    """The monitor's years: from the first year on, every year with extracts in the inbox."""
    from orchestration.alerts.inbox import monitor_years

    return monitor_years(paths.inbox, _first_year())


def extracts_present(paths: Paths, year: int) -> list[str]:
    """The sources with an extract for `year`, by the ingest's own rule (extract_files)."""
    from orchestration.assets.ingest.extract_files import extract_files

    return [s for s in ALL_SOURCES if extract_files(paths.source_dir(s, year))]


def _positive_scale(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        value = 0.0
    if not value > 0 or value == float("inf"):
        raise argparse.ArgumentTypeError(f"{text!r} is not a positive number (1.0 = national size)")
    return value


def _progress_logging() -> None:
    handler = logging.StreamHandler(sys.stdout)  # bound now: dbt output is redirected later
    handler.setFormatter(logging.Formatter("  %(asctime)s  %(message)s", "%H:%M:%S"))
    log = logging.getLogger("ksm.progress")
    log.handlers[:] = [handler]
    log.setLevel(logging.INFO)
    log.propagate = False


# ---------------------------------------------------------------- commands


def cmd_demo_data(args) -> int:
    from orchestration.demo.generator import write_demo_extracts

    from orchestration.demo.reference import bundled_years

    paths = Paths.from_env().ensure()
    years = parse_years(args.years) if args.years else bundled_years()
    if not years:
        raise UserError("--years names no year")
    if years[0] < bundled_years()[0]:
        raise UserError(f"demo data start in {bundled_years()[0]}, the first bundled classification; "
                        f"{years[0]} is earlier")
    started = time.monotonic()
    print(f"writing demo extracts for {years[0]}-{years[-1]} at scale {args.scale} into {paths.inbox}")
    counts = write_demo_extracts(paths.inbox, years=years, scale=args.scale, seed=args.seed,
                                 progress=lambda line: print("  " + line, flush=True))
    total = sum(counts.values())
    print(f"done: {total:,} rows in {time.monotonic() - started:.1f}s")
    return 0


def cmd_run(args) -> int:
    from orchestration.resources import configure_environment

    paths = configure_environment()
    plan = _plan(paths, args)
    try:
        ensure_dbt_manifest()
    except DbtParseError as exc:
        raise UserError(str(exc)) from exc
    _progress_logging()

    from dagster import DagsterInstance

    from orchestration.definitions import JOB_NAME, build_definitions
    from orchestration.resources import WAREHOUSE_POOL
    from orchestration.run_guard import recover_interrupted_runs, run_lock

    job = build_definitions(paths).resolve_job_def(JOB_NAME)
    instance = DagsterInstance.get()
    with run_lock(paths.home):
        for line in recover_interrupted_runs(instance, WAREHOUSE_POOL):
            print(f"recovered: {line}", flush=True)
        return _run_years(paths, job, instance, plan)


def _plan(paths: Paths, args) -> list:
    """The years to build: those asked for, and the released years they change (rebuilds.py)."""
    from orchestration.assets.ingest.extract_files import ExtractRejected
    from orchestration.assets.ingest.regions import classification_file
    from orchestration.rebuilds import plan_for_home

    available = years_with_extracts(paths)
    if args.all:
        if not available:
            raise UserError(f"no extracts in {paths.inbox}: write some with `ksm demo-data` or drop a delivery")
        requested = available
    else:
        first = _first_year()
        if args.year < first:
            raise UserError(f"{args.year} is before the monitor's first year {first} (KSM_FIRST_YEAR)")
        if args.year not in available:
            raise UserError(f"no extracts for {args.year}: drop the year's deliveries in "
                            f"{paths.inbox}/<source>/{args.year}/ (or write demo data: "
                            f"`ksm demo-data --years {args.year}`)")
        requested = [args.year]
    plan, notes = plan_for_home(paths, requested, available)
    for note in notes:
        print(f"note: {note}", flush=True)
    for run in plan:
        try:
            classification_file(paths.inbox / "regions", run.year)
        except ExtractRejected as exc:
            raise UserError(str(exc)) from None
    rebuilt = [run for run in plan if run.reason]
    for run in rebuilt:
        print(f"also rebuilding {run.year}: {run.reason}", flush=True)
    return plan


def _run_years(paths: Paths, job, instance, plan: list) -> int:
    from orchestration.assets.release.publish import REBUILD_REASON_TAG
    from orchestration.partitions import register_years
    from orchestration.run_guard import run_tags
    from orchestration.run_outcome import read_run_outcome

    register_years(instance, [run.year for run in plan])
    summary = []
    for run in plan:
        year = run.year
        started = time.monotonic()
        because = f" (rebuild: {run.reason})" if run.reason else ""
        print(f"== {year}: ingest, dbt build and tests, release{because}", flush=True)
        # dbt's own event stream goes to a log file; the terminal gets one line per step
        log_file = paths.home / "logs" / f"run-{year}.log"
        log_file.parent.mkdir(parents=True, exist_ok=True)
        with log_file.open("w", encoding="utf-8") as sink, contextlib.redirect_stdout(sink):
            result = job.execute_in_process(
                partition_key=str(year), instance=instance, raise_on_error=False,
                run_config={"loggers": {"console": {"config": {"log_level": "CRITICAL"}}}},
                tags={"ksm/started_by": "ksm run", **run_tags(),
                      **({REBUILD_REASON_TAG: run.reason} if run.reason else {})},
            )
        seconds = time.monotonic() - started
        if result.success:
            release = [e.materialization for e in result.get_asset_materialization_events()
                       if e.asset_key.path == ["release", "published_year"]]
            meta = release[-1].metadata if release else {}
            version = meta.get("version").value if meta.get("version") else "?"
            new = meta.get("new_version").value if meta.get("new_version") else False
            summary.append((year, "released" if new else "unchanged", f"v{version}", f"{seconds:.0f}s", result.run_id))
        else:
            failures = read_run_outcome(instance, result.run_id).failure_lines()
            for line in failures:
                print(f"  FAILED {line}", flush=True)
            print(f"  dbt output: {log_file}", flush=True)
            summary.append((year, "BLOCKED", "-", f"{seconds:.0f}s", result.run_id))
        _notify(paths, instance, result.run_id)
    print()
    _print_table(["year", "status", "version", "time", "run_id"], summary)
    blocked = [str(r[0]) for r in summary if r[1] == "BLOCKED"]
    if blocked:
        print(f"\nnot released: {', '.join(blocked)}. Check results in {paths.home / 'quality'}/<year>/<run_id>/; "
              "details in the Dagster UI (make dev), runs listed above.")
        return 1
    print(f"\npublished: {paths.published}")
    return 0


def _notify(paths: Paths, instance, run_id: str) -> None:
    """Deliver the run's alerts before going on, so alerts work without the daemon."""
    from orchestration.alerts import notify_run

    report = notify_run(paths, instance, run_id)
    for problem in report.problems:
        print(f"  alerts: {problem}", flush=True)
    if report.recorded or report.failed:
        print(f"  alerts: {report.summary()} (ksm alerts)", flush=True)


def cmd_alerts(args) -> int:
    from orchestration.alerts import deliver_pending, open_store
    from orchestration.alerts.listing import alert_table
    from orchestration.alerts.sinks import configured_sinks

    paths = Paths.from_env()
    store = open_store(paths)
    if args.deliver:
        sinks, problems = configured_sinks(paths.alerts)
        for problem in problems:
            print(f"ksm: {problem}", file=sys.stderr)
        store.make_due([s.name for s in sinks])  # now, whatever the backoff said
        report = deliver_pending(store, sinks)
        print(f"delivery: {report.summary()}")
    columns, rows, notes = alert_table(store.recent(args.limit))
    if not rows:
        print(f"no alerts yet ({paths.alerts})")
        return 0
    _print_table(columns, rows)
    for note in notes:
        print(note)
    print(f"({len(rows)} most recent; all of them in {paths.alerts})")
    return 0


def cmd_status(args) -> int:
    from orchestration.resources import configure_environment

    paths = configure_environment()
    releases: dict[int, tuple] = {}
    if paths.published.exists():
        import duckdb

        with contextlib.closing(duckdb.connect(str(paths.published), read_only=True)) as con:
            for year, version, when, passed, failed in con.execute(
                "SELECT year, version, released_at, checks_passed, checks_failed FROM releases "
                "QUALIFY row_number() OVER (PARTITION BY year ORDER BY version DESC) = 1"
            ).fetchall():
                releases[year] = (version, when, passed, failed)
    from orchestration.assets.release.publish import released_classification

    years = sorted(set(years_with_extracts(paths)) | set(releases))
    if not years:
        print(f"no extracts in {paths.inbox} and nothing released yet: write some with `ksm demo-data` "
              "or drop a delivery")
        return 0
    last_runs = _last_runs(paths, years)
    rows = []
    for year in years:
        present = extracts_present(paths, year)
        run = last_runs.get(year)
        rel = releases.get(year)
        rows.append((
            year,
            f"{len(present)}/{len(ALL_SOURCES)}",
            f"{run[0]} {run[1]}" if run else "-",
            (f"{run[2]}/{run[3]}" + (f" ({run[4]} warn)" if run[4] else "")) if run else "-",
            f"v{rel[0]}" if rel else "-",
            released_classification(paths, year) or "-" if rel else "-",
        ))
    _print_table(["year", "extracts", "last run", "checks ok/failed", "released", "classification"], rows)
    return 0


def _last_runs(paths: Paths, years: list[int]) -> dict[int, tuple]:
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


def open_published_read_only(paths: Paths, bounds=None):
    from orchestration.published import open_published

    if not paths.published.exists():
        raise UserError(f"nothing published yet ({paths.published}); run `ksm run --all` first")
    return open_published(paths.published, bounds)


def cmd_query(args) -> int:
    import duckdb

    from orchestration.query_bounds import QueryBounds, QueryLimitExceeded, run_bounded

    paths = Paths.from_env()
    try:
        bounds = QueryBounds.from_env()
        with contextlib.closing(open_published_read_only(paths, bounds)) as con:
            columns, rows = run_bounded(con, args.sql, bounds)
    except QueryLimitExceeded as exc:
        raise UserError(str(exc)) from exc
    except duckdb.Error as exc:
        raise UserError(f"query failed: {str(exc).splitlines()[0]}") from exc
    if args.format == "csv":
        writer = csv.writer(sys.stdout)
        writer.writerow(columns)
        writer.writerows(rows)
    elif args.format == "json":
        print(json.dumps([dict(zip(columns, r)) for r in rows], default=str, indent=1))
    else:
        _print_table(columns, rows)
        print(f"({len(rows)} row{'s' if len(rows) != 1 else ''})")
    return 0


def cmd_export(args) -> int:
    from orchestration.export import ExportError, export_year, parse_formats

    try:
        export_year(Paths.from_env().published, args.year, Path(args.out).resolve(), parse_formats(args.format),
                    dialect=args.dialect)
    except ExportError as exc:
        raise UserError(str(exc)) from exc
    return 0


def cmd_report(args) -> int:
    from orchestration.query_bounds import QueryLimitExceeded
    from orchestration.report import BoundaryError, ReportError, build_report

    try:
        build_report(Paths.from_env(), args.year, boundaries=Path(args.boundaries) if args.boundaries else None,
                     gemeente=_gemeente_arg(args.gemeente), out=Path(args.out) if args.out else None, lang=args.lang)
    except (ReportError, BoundaryError, QueryLimitExceeded) as exc:
        raise UserError(str(exc)) from exc
    return 0


def cmd_site(args) -> int:
    from orchestration.site import BoundaryError, ReportError, build_site

    try:
        build_site(Paths.from_env(), args.year, lang=args.lang, out=Path(args.out) if args.out else None,
                   boundaries=Path(args.boundaries) if args.boundaries else None, downloads=not args.no_downloads,
                   progress=lambda line: print(line, flush=True))
    except (ReportError, BoundaryError) as exc:
        raise UserError(str(exc)) from exc
    except OSError as exc:
        raise UserError(f"cannot write the site: {exc.strerror or exc}: {exc.filename or ''}".rstrip(": ")) from exc
    return 0


def _gemeente_arg(text: str | None) -> str | None:
    from orchestration.codes import parse_gemeente_code

    if text is None:
        return None
    code = parse_gemeente_code(text)
    if code is None:
        raise UserError(f"--gemeente {text!r} is not a gemeente code (like GM0363 or 363)")
    return code


def cmd_fetch_boundaries(args) -> int:
    from orchestration.report import BoundaryError, default_boundaries
    from orchestration.report.boundaries import boundaries_url, fetch_boundaries

    target = default_boundaries(Paths.from_env(), args.year)
    print(f"downloading the {args.year} gemeente boundaries from {boundaries_url(args.year)}", flush=True)
    try:
        count = fetch_boundaries(args.year, target)
    except BoundaryError as exc:
        raise UserError(str(exc)) from exc
    print(f"wrote {target} ({count} gemeenten)")
    return 0


def cmd_docs(args) -> int:
    from orchestration.docs_gen import write_docs

    stale = write_docs(check=args.check)
    for path in stale:
        print(f"{'out of date' if args.check else 'wrote'}: {path.relative_to(path.parents[1])}")
    if args.check and stale:
        print("run `ksm docs` (or `make docs`) and commit the result", file=sys.stderr)
        return 1
    if not stale:
        print("docs up to date")
    return 0


def _print_table(columns: list[str], rows: list[tuple]) -> None:
    def fmt(v) -> str:
        if v is None:
            return ""
        if isinstance(v, float):
            return f"{v:.4g}" if abs(v) < 1e6 else f"{v:,.0f}"
        if isinstance(v, (dt.datetime, dt.date)):
            return v.isoformat(sep=" ", timespec="seconds") if isinstance(v, dt.datetime) else v.isoformat()
        return str(v)

    cells = [[fmt(v) for v in row] for row in rows]
    widths = [max([len(c)] + [len(r[i]) for r in cells]) for i, c in enumerate(columns)]
    print("  ".join(c.ljust(w) for c, w in zip(columns, widths)))
    print("  ".join("-" * w for w in widths))
    for row in cells:
        print("  ".join(v.ljust(w) for v, w in zip(row, widths)))


# ---------------------------------------------------------------- entry point


def _add_lang_argument(parser: argparse.ArgumentParser) -> None:
    """--lang of `ksm report` and `ksm site`: the languages of orchestration.report.i18n, Dutch first."""
    from orchestration.report.i18n import LANGUAGES

    parser.add_argument("--lang", choices=list(LANGUAGES), default="nl", help="language of the pages (default nl)")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="ksm", description="Kansrijke Start monitor warehouse")
    sub = parser.add_subparsers(dest="command", required=True)

    p = sub.add_parser("demo-data", help="write synthetic source extracts into the inbox")
    p.add_argument("--years", help="any range, e.g. 2017-2026 or 2019,2020 (default: the bundled "
                                    "classification years, 2017-2024); later years reuse the newest classification")
    p.add_argument("--scale", type=_positive_scale, default=1.0, help="1.0 = national size (~170,000 births a year)")
    p.add_argument("--seed", type=int, default=42)
    p.set_defaults(func=cmd_demo_data)

    p = sub.add_parser("run", help="materialise a year (or all years with extracts) through Dagster")
    group = p.add_mutually_exclusive_group(required=True)
    group.add_argument("--year", type=int)
    group.add_argument("--all", action="store_true")
    p.set_defaults(func=cmd_run)

    p = sub.add_parser("status", help="one row per year: extracts, last run, checks, release")
    p.set_defaults(func=cmd_status)

    p = sub.add_parser("alerts", help="recent quality alerts and their delivery per sink")
    p.add_argument("--limit", type=int, default=20, help="how many of the newest alerts")
    p.add_argument("--deliver", action="store_true", help="send undelivered alerts now, whatever their backoff")
    p.set_defaults(func=cmd_alerts)

    p = sub.add_parser("query", help="read-only SQL on the released marts")
    p.add_argument("sql")
    p.add_argument("--format", choices=["table", "csv", "json"], default="table")
    p.set_defaults(func=cmd_query)

    p = sub.add_parser("export", help="write a released year's marts as files")
    p.add_argument("--year", type=int, required=True)
    p.add_argument("--format", default="parquet,csv", help="comma-separated: parquet, csv, xlsx")
    p.add_argument("--dialect", choices=["standard", "nl"], default="standard",
                   help="CSV convention: standard (comma, decimal point) or nl (semicolon, decimal comma, UTF-8 BOM)")
    p.add_argument("--out", required=True)
    p.set_defaults(func=cmd_export)

    from orchestration.connectors.cbs import add_parser as add_cbs_parser

    add_cbs_parser(sub)  # ksm cbs fetch

    p = sub.add_parser("report", help="one self-contained HTML report of a released year (Dutch by default)")
    p.add_argument("--year", type=int, required=True)
    _add_lang_argument(p)
    p.add_argument("--boundaries", help="gemeente boundaries GeoJSON (default: what fetch-boundaries wrote)")
    p.add_argument("--gemeente", help="add a profile of this gemeente (e.g. GM0363)")
    p.add_argument("--out", help="file to write (default: $KSM_HOME/reports/monitor-<year>-v<n>.html, "
                                  "or monitor-<year>-v<n>-en.html)")
    p.set_defaults(func=cmd_report)

    p = sub.add_parser("site", help="the static site of a release: overview, indicator pages, area profiles")
    p.add_argument("--year", type=int, required=True)
    _add_lang_argument(p)
    p.add_argument("--out", help="folder to write (default: $KSM_HOME/site/<year>/, or <year>-en/)")
    p.add_argument("--boundaries", help="gemeente boundaries GeoJSON (default: what fetch-boundaries wrote)")
    p.add_argument("--no-downloads", action="store_true",
                   help="leave out the CSV and Excel file per indicator and area (quicker)")
    p.set_defaults(func=cmd_site)

    p = sub.add_parser("fetch-boundaries", help="download the generalised gemeente boundaries (CBS/PDOK)")
    p.add_argument("--year", type=int, required=True, help="classification year")
    p.set_defaults(func=cmd_fetch_boundaries)

    p = sub.add_parser("docs", help="regenerate docs/indicators.md and docs/data-dictionary.md")
    p.add_argument("--check", action="store_true", help="only report files that are out of date")
    p.set_defaults(func=cmd_docs)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return args.func(args)
    except UserError as exc:
        print(f"ksm: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("ksm: interrupted", file=sys.stderr)
        return 130
    except Exception as exc:  # noqa: BLE001 - a bug or a broken machine: one line here, details in a file
        return _unexpected(exc)


def _unexpected(exc: Exception) -> int:
    import traceback

    log = Paths.from_env().home / "logs" / "ksm-error.log"
    try:
        log.parent.mkdir(parents=True, exist_ok=True)
        with log.open("a", encoding="utf-8") as handle:
            handle.write(f"--- {dt.datetime.now().isoformat(timespec='seconds')} ksm {' '.join(sys.argv[1:])}\n")
            traceback.print_exception(exc, file=handle)
        where = f"; details in {log}"
    except OSError:
        where = ""
    first = str(exc).strip().splitlines()[0] if str(exc).strip() else ""
    print(f"ksm: unexpected error: {type(exc).__name__}: {first}{where}", file=sys.stderr)
    return 3


if __name__ == "__main__":
    sys.exit(main())
