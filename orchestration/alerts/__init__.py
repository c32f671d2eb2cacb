"""Quality alerts: built from Dagster's record of each run, kept in `$KSM_HOME/alerts.sqlite`,
written to `$KSM_HOME/alerts.jsonl` and sent to a webhook and by e-mail. See docs/alerts.md."""

from __future__ import annotations

from orchestration.settings import Paths

from .delivery import DeliveryReport, deliver_pending, dispatch, open_store
from .model import ERROR, WARNING, Alert

__all__ = ["ERROR", "WARNING", "Alert", "DeliveryReport", "deliver_pending", "dispatch", "notify_run",
           "open_store"]

RUN_TRIES = 3  # `ksm run` retries a failing sink a few times (1 s, 2 s) before leaving it pending


def notify_run(paths: Paths, instance, run_id: str, env=None) -> DeliveryReport:
    """The alerts of one finished run, recorded and delivered before `ksm run` moves on."""
    from .collect import alerts_for_run

    return dispatch(paths, alerts_for_run(instance, run_id), env=env, tries=RUN_TRIES)
