"""Sensors, run by the Dagster daemon (`make dev` or `dagster-daemon run`):

- `alert_sensor`: every finished run's failed checks (and the run, when it failed for another
  reason) become alerts; also retries deliveries that failed earlier. `ksm run` delivers its own
  runs' alerts too; the alert store records each alert once, so nothing is sent twice.
- `inbox_sensor`: starts `yearly_build` for a year once every source of it is in the inbox, and
  again when a file of it changes; raises a freshness warning for a year still incomplete after
  `KSM_FRESHNESS_DEADLINE`.

Both are on by default (`DefaultSensorStatus.RUNNING`); stop them in the UI under Automation.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import time
from dataclasses import replace

import dagster as dg

from orchestration.alerts import dispatch
from orchestration.alerts.collect import alerts_for_run, finished_runs_since
from orchestration.alerts.inbox import (ExtractFile, deadline_for, late_years, monitor_years, parse_deadline,
                                        released_with, scan_year, settle_seconds_from_env)
from orchestration.alerts.model import freshness_alert
from orchestration.assets.release.publish import REBUILD_REASON_TAG, latest_release
from orchestration.definitions import JOB_NAME
from orchestration.partitions import new_partition_keys, yearly_partitions
from orchestration.ra.records import inbox_sources, ra_inputs
from orchestration.rebuilds import plan_for_home
from orchestration.resources import KsmPaths
from orchestration.run_guard import run_lock_held
from orchestration.settings import first_year
from orchestration.sources import YEARLY_SOURCES

INTERVAL_SECONDS = 30
FIRST_TICK_LOOKBACK = dt.timedelta(days=1)  # a new instance does not alert on old history
OVERLAP = dt.timedelta(seconds=1)  # runs updated in the same instant as the cursor are seen again


def _log_delivery(context, report) -> str:
    for problem in report.problems:
        context.log.warning(problem)
    for sink, error in report.failed.items():
        context.log.warning(f"alert sink {sink} failed, will retry: {error}")
    return report.summary()


@dg.sensor(name="alert_sensor", minimum_interval_seconds=INTERVAL_SECONDS,
           default_status=dg.DefaultSensorStatus.RUNNING,
           description="Failed checks and failed runs -> alerts.jsonl, webhook, e-mail; retries failed deliveries.")
def alert_sensor(context: dg.SensorEvaluationContext, ksm: KsmPaths):
    state = json.loads(context.cursor) if context.cursor else {}
    if state.get("updated_after"):
        after = dt.datetime.fromisoformat(state["updated_after"])
    else:
        after = dt.datetime.now(dt.timezone.utc) - FIRST_TICK_LOOKBACK
    records = finished_runs_since(context.instance, after - OVERLAP)
    alerts = [alert for record in records for alert in alerts_for_run(context.instance, record.dagster_run.run_id)]
    report = dispatch(ksm.paths, alerts)
    if records:
        newest = max(r.update_timestamp for r in records)
        if newest.tzinfo is None:
            newest = newest.replace(tzinfo=dt.timezone.utc)
        after = max(after, newest)
    context.update_cursor(json.dumps({"updated_after": after.isoformat()}))
    return dg.SkipReason(f"{len(records)} finished run(s) looked at; alerts: {_log_delivery(context, report)}")


@dg.sensor(name="inbox_sensor", job_name=JOB_NAME, minimum_interval_seconds=INTERVAL_SECONDS,
           default_status=dg.DefaultSensorStatus.RUNNING,
           description="Builds a year when all its extracts are in the inbox and again when one changes; "
                       "warns when a year's extracts are late.")
def inbox_sensor(context: dg.SensorEvaluationContext, ksm: KsmPaths):
    paths = ksm.paths
    if run_lock_held(paths.home):
        return dg.SkipReason("ksm run is building on this home; the inbox is looked at again next tick")
    state = json.loads(context.cursor) if context.cursor else {}
    cache = state.get("files", {})
    seen = state.get("seen", {})  # year -> digest of the content last requested (or found released)
    now = time.time()
    notes, requests, delivered, complete = [], [], {}, []
    settle = settle_seconds_from_env()
    first = first_year()
    built = monitor_years(paths.inbox, first)
    # every year from the first up to last year is due some time, and every year delivered exists
    years = sorted(set(built) | set(range(first, dt.date.today().year)))
    sources = inbox_sources(paths)  # in the RA layout the record-level sources come from the RA tables
    ra_files = ra_inputs(paths, years)
    for year in years:
        scan = scan_year(paths.inbox, year, cache=cache, now=now, settle_seconds=settle, sources=sources)
        # a changed RA file changes the year's digest too (by size and time: too large to hash)
        scan = replace(scan, files=scan.files + tuple(
            ExtractFile(*key.rsplit("/", 1), stamp) for key, stamp in ra_files[year].items()))
        delivered[year] = [s for s in sources if s not in scan.missing]
        if scan.settling:
            notes.append(f"{year}: waiting for {', '.join(scan.settling)} to settle")
            continue
        if not scan.complete or seen.get(str(year)) == scan.digest:
            continue
        if str(year) not in seen and released_with(scan, latest_release(paths, year)[1]):
            # first sight of a year released from these extracts already (daemon turned on over
            # a built warehouse): nothing to do until a file changes
            seen[str(year)] = scan.digest
            continue
        seen[str(year)] = scan.digest
        complete.append(scan)
    requests = _run_requests(paths, complete, built, notes)
    # forget files that left the inbox
    live = {f"{s}/{y}" for y in years for s in delivered[y]}
    cache = {k: v for k, v in cache.items() if k.rsplit("/", 1)[0] in live}

    try:
        month_day = parse_deadline(os.environ.get("KSM_FRESHNESS_DEADLINE"))
    except ValueError as exc:
        context.log.error(str(exc))
    else:
        # a year with only a regions classification has had nothing delivered yet
        present = {y: s if any(x in YEARLY_SOURCES for x in s) else [] for y, s in delivered.items()}
        late = late_years(years, present, dt.date.today(), month_day, expected=len(sources))
        if late:
            alerts = [freshness_alert(year=y, deadline=deadline_for(y, month_day),
                                      missing=[s for s in sources if s not in delivered[y]]) for y in late]
            report = dispatch(paths, alerts)
            notes.append(f"late: {', '.join(map(str, late))}; alerts: {_log_delivery(context, report)}")
    # a new year becomes a partition before its run is requested (Dagster applies this first)
    new_keys = new_partition_keys(context.instance, built)
    return dg.SensorResult(run_requests=requests, cursor=json.dumps({"files": cache, "seen": seen}, sort_keys=True),
                           dynamic_partitions_requests=[yearly_partitions.build_add_request(new_keys)] if new_keys else [],
                           skip_reason=None if requests else ("; ".join(notes) or "no complete year with new content"))


def _run_requests(paths, complete: list, built: list[int], notes: list[str]) -> list[dg.RunRequest]:
    """Runs for the complete years with new content, and for the released years they change
    (a newer classification, pooled periods and trends), in year order: the run queue starts
    them one at a time in that order."""
    if not complete:
        return []
    plan, held_back = plan_for_home(paths, [s.year for s in complete], built)
    notes.extend(held_back)
    by_year = {s.year: s for s in complete}
    digest = "-".join(s.digest[:8] for s in complete)
    requests = []
    for run in plan:
        scan = by_year.get(run.year)
        tags = {"ksm/started_by": "inbox_sensor"}
        if scan is not None:
            tags["ksm/inbox_digest"] = scan.digest[:16]
            run_key = scan.run_key
            notes.append(f"{run.year}: complete, run {run_key}")
        else:
            tags[REBUILD_REASON_TAG] = run.reason
            run_key = f"rebuild-{run.year}-after-{digest}"
            notes.append(f"{run.year}: rebuild ({run.reason})")
        requests.append(dg.RunRequest(run_key=run_key, partition_key=str(run.year), tags=tags))
    return requests


sensors = [alert_sensor, inbox_sensor]
