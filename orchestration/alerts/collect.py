"""Alerts from what Dagster recorded about a run: its failed checks and, when it failed for
another reason than a failed check, the run itself.

A failed WARN check leaves the run green, so the alerts come from the check evaluations of every
finished run, not from run failures alone. A run that fails only because a blocking check failed
gives one alert (the check's), not two.
"""

from __future__ import annotations

import datetime as dt

from dagster import DagsterEventType, DagsterInstance, DagsterRunStatus, RunsFilter

from .model import Alert, check_alert, run_failed_alert

FINISHED = [DagsterRunStatus.SUCCESS, DagsterRunStatus.FAILURE, DagsterRunStatus.CANCELED]
CHECK_FAILED_ERROR = "DagsterAssetCheckFailedError"  # a blocking check failing its step


def _year(tags) -> int | None:
    key = (tags or {}).get("dagster/partition", "")
    return int(key) if key.strip().isdigit() else None


def _step_failure_reason(event) -> str | None:
    """Why a step failed, in one line; None when it failed because a blocking check did."""
    data = event.event_specific_data
    if data.error is not None and data.error.cls_name == CHECK_FAILED_ERROR:
        return None
    text = None
    if data.user_failure_data is not None and data.user_failure_data.description:
        text = data.user_failure_data.description
    elif data.error is not None:
        error = data.error
        while error.cause is not None:  # the innermost cause says what went wrong
            error = error.cause
        lines = (error.message or "").strip().splitlines()
        text = lines[-1] if lines else error.cls_name
    return f"{event.step_key}: {' '.join((text or 'failed').split())}"


def alerts_for_run(instance: DagsterInstance, run_id: str) -> list[Alert]:
    """Every alert of one finished run (nothing for a run still going)."""
    record = instance.get_run_record_by_id(run_id)
    if record is None or record.dagster_run.status not in FINISHED:
        return []
    run = record.dagster_run
    year = _year(run.tags)
    alerts: list[Alert] = []
    events = instance.get_records_for_run(
        run_id, of_type={DagsterEventType.ASSET_CHECK_EVALUATION, DagsterEventType.STEP_FAILURE}
    ).records
    reasons = []
    for entry in (r.event_log_entry for r in events):
        event = entry.dagster_event
        if event.event_type == DagsterEventType.ASSET_CHECK_EVALUATION:
            evaluation = event.event_specific_data
            if evaluation.passed:
                continue
            results = evaluation.metadata.get("results")
            alerts.append(check_alert(
                run_id=run_id, year=year, asset=evaluation.asset_key.to_user_string(),
                check=evaluation.check_name,
                dagster_severity=evaluation.severity.value if evaluation.severity is not None else None,
                description=evaluation.description, results=str(results.value) if results is not None else None,
                timestamp=entry.timestamp,
            ))
        else:
            reason = _step_failure_reason(event)
            if reason:
                reasons.append(reason)
    if run.status == DagsterRunStatus.FAILURE and (reasons or not any(a.severity == "error" for a in alerts)):
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
