"""Alerts from what Dagster recorded about a run: its failed checks and, when it failed for
another reason than a failed check, the run itself.

A failed WARN check leaves the run green, so the alerts come from the check evaluations of every
finished run, not from run failures alone. A run that fails only because a blocking check failed
gives one alert (the check's), not two.
"""

from __future__ import annotations

import datetime as dt

from dagster import DagsterInstance, DagsterRunStatus, RunsFilter

from orchestration.run_outcome import ERROR, read_run_outcome

from .model import Alert, check_alert, run_failed_alert

FINISHED = [DagsterRunStatus.SUCCESS, DagsterRunStatus.FAILURE, DagsterRunStatus.CANCELED]


def _year(tags) -> int | None:
    key = (tags or {}).get("dagster/partition", "")
    return int(key) if key.strip().isdigit() else None


def alerts_for_run(instance: DagsterInstance, run_id: str) -> list[Alert]:
    """Every alert of one finished run (nothing for a run still going)."""
    record = instance.get_run_record_by_id(run_id)
    if record is None or record.dagster_run.status not in FINISHED:
        return []
    run = record.dagster_run
    year = _year(run.tags)
    outcome = read_run_outcome(instance, run_id)
    alerts = [check_alert(run_id=run_id, year=year, asset=c.asset, check=c.check, severity=c.severity,
                          description=c.description, results=c.results, timestamp=c.timestamp)
              for c in outcome.checks if not c.passed]
    reasons = list(outcome.step_failures)
    if run.status == DagsterRunStatus.FAILURE and (reasons or not any(a.severity == ERROR for a in alerts)):
        ended = record.end_time or record.update_timestamp.timestamp()
        alerts.append(run_failed_alert(run_id=run_id, year=year, job=run.job_name, reasons=reasons,
                                       timestamp=ended))
    return alerts


def finished_runs_since(instance: DagsterInstance, after: dt.datetime | None, limit: int = 100) -> list:
    """Run records of finished runs last updated after `after`, oldest update first."""
    return list(instance.get_run_records(
        filters=RunsFilter(statuses=FINISHED, updated_after=after), limit=limit,
        order_by="update_timestamp", ascending=True,
    ))
