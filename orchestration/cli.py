"""`ksm`: the warehouse from the command line (demo data, runs, status, queries, exports)."""

from __future__ import annotations

import argparse
import atexit
import contextlib
import csv
import datetime as dt
import json
import logging
import os
import sys
import threading
import time
from pathlib import Path

from orchestration.dbt_manifest import DbtParseError, ensure_dbt_manifest
from orchestration.errors import UserError
from orchestration.indicator_registry import DEFAULT_EDITION, EDITION_ENV, definition_edition
from orchestration.settings import Paths
from orchestration.tables import print_table
from orchestration.yearly_runs import STATUS_COLUMNS, parse_years, plan_years, run_years, year_status


# ---------------------------------------------------------------- helpers


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
    from demo.generator import write_demo_extracts

    from demo.reference import bundled_years

    paths = Paths.from_env().ensure()
    years = parse_years(args.years) if args.years else bundled_years()
    if not years:
        raise UserError("--years names no year")
    if years[0] < bundled_years()[0]:
        raise UserError(f"demo data start in {bundled_years()[0]}, the first bundled classification; "
                        f"{years[0]} is earlier")
    started = time.monotonic()
    say = lambda line: print("  " + line, flush=True)  # noqa: E731
    if getattr(args, "layout", "extract") == "cbs-ra":
        from demo.ra_layout import write_ra_demo

        print(f"writing a synthetic CBS RA layout for {years[0]}-{years[-1]} at scale {args.scale} into "
              f"{paths.home / 'ra'}, and the sources that are not record level into {paths.inbox}")
        result = write_ra_demo(paths.home, years=years, scale=args.scale, seed=args.seed, progress=say,
                               extra_persons=args.extra_persons)
        print(f"  layout config: {result['config']}")
        print(f"done: {len(result['files'])} RA files ({result['bytes'] / 1e6:.1f} MB) and "
              f"{result['inbox_rows']:,} inbox rows in {time.monotonic() - started:.1f}s")
        return 0
    print(f"writing demo extracts for {years[0]}-{years[-1]} at scale {args.scale} into {paths.inbox}")
    counts = write_demo_extracts(paths.inbox, years=years, scale=args.scale, seed=args.seed, progress=say)
    total = sum(counts.values())
    print(f"done: {total:,} rows in {time.monotonic() - started:.1f}s")
    return 0


def cmd_run(args) -> int:
    from orchestration.assets.quality.worker import warm_checks
    from orchestration.resources import configure_environment

    paths = configure_environment()
    try:
        edition = definition_edition()
    except ValueError as exc:
        raise UserError(str(exc)) from None
    # first of all: the checks worker imports Great Expectations while this process starts up
    with warm_checks(paths.home / "logs" / "checks-worker.log"):
        return _run_plan(args, paths, edition)


def _run_plan(args, paths: Paths, edition: str) -> int:
    plan = plan_years(paths, None if args.all else args.year)
    if edition != DEFAULT_EDITION:
        print(f"definitions: edition {edition} ({EDITION_ENV})", flush=True)
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
        return run_years(paths, job, instance, plan, reload=args.reload)


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
    print_table(columns, rows)
    for note in notes:
        print(note)
    print(f"({len(rows)} most recent; all of them in {paths.alerts})")
    return 0


def cmd_status(args) -> int:
    from orchestration.resources import configure_environment

    paths = configure_environment()
    rows = year_status(paths)
    if not rows:
        print(f"no extracts in {paths.inbox} and nothing released yet: write some with `ksm demo-data` "
              "or drop a delivery")
        return 0
    print_table(STATUS_COLUMNS, rows)
    return 0


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
        print_table(columns, rows)
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


def cmd_wheelhouse(args) -> int:
    from orchestration.settings import PROJECT_ROOT
    from orchestration.wheelhouse import build_wheelhouse

    pythons = [p.strip() for p in args.python.split(",") if p.strip()] if args.python else None
    started = time.monotonic()
    summary = build_wheelhouse(Path(args.project) if args.project else PROJECT_ROOT, Path(args.dest).resolve(),
                               args.platform, pythons, tests=not args.no_tests,
                               say=lambda line: print(line, flush=True))
    built = ", ".join(summary["built_from_sdist"]) or "none"
    print(f"done: {summary['wheels']} wheels, {summary['bytes'] / 1e6:.0f} MB in {args.dest} "
          f"({time.monotonic() - started:.0f}s); built from sdist: {built}")
    return 0


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
    p.add_argument("--layout", choices=["extract", "cbs-ra"], default="extract",
                   help="extract: record-level extracts in the inbox (default); cbs-ra: the record-level data "
                        "as CBS Remote Access .sav tables under $KSM_HOME/ra (drives G, K, L) with "
                        "$KSM_HOME/ra_layout.toml, the other sources in the inbox")
    p.add_argument("--extra-persons", type=float, default=3.0,
                   help="cbs-ra: persons the monitor does not need, as a multiple of those it needs (default 3)")
    p.set_defaults(func=cmd_demo_data)

    p = sub.add_parser("run", help="materialise a year (or all years with extracts) through Dagster")
    group = p.add_mutually_exclusive_group(required=True)
    group.add_argument("--year", type=int)
    group.add_argument("--all", action="store_true")
    p.add_argument("--reload", action="store_true",
                   help="load every extract again, also those unchanged since their last load")
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

    p = sub.add_parser("wheelhouse", help="every wheel uv.lock pins, for an offline install (CBS Remote Access)")
    p.add_argument("--dest", required=True, help="folder to fill (wheels, requirements.txt, PACKAGES.md)")
    p.add_argument("--platform", choices=["linux", "windows", "both"], default="both")
    p.add_argument("--python", help="comma-separated minor versions, e.g. 3.11,3.12 "
                                     "(default: every one requires-python allows)")
    p.add_argument("--no-tests", action="store_true", help="leave out the test tools (the dev group: pytest)")
    p.add_argument("--project", help="the checkout with uv.lock (default: this one)")
    p.set_defaults(func=cmd_wheelhouse)
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


def run() -> None:
    """The `ksm` command: main(), then out without tearing the interpreter down. Freeing what a
    `ksm run` loaded (Dagster, dbt's manifest, GX, pandas: over half a million objects) one by
    one took about 2 s after the work was done. Exit handlers still run (logging flushes its
    files); a thread still working gets the normal way out, which waits for it."""
    code = main()
    if any(t.is_alive() and not t.daemon for t in threading.enumerate() if t is not threading.main_thread()):
        sys.exit(code)
    atexit._run_exitfuncs()
    try:
        sys.stdout.flush()
        sys.stderr.flush()
    except (OSError, ValueError):  # e.g. `ksm query ... | head -1` closed the pipe
        code = code or 120  # what Python's own exit returns when its final flush fails
    os._exit(code)


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
    run()
