"""Recording alerts and delivering them, with retries and backoff, exactly once per sink.

A delivery that fails stays pending in the store with its next attempt `backoff_seconds` later;
whoever delivers next (the daemon's alert sensor every 30 s, the next `ksm run`, or
`ksm alerts --deliver`) tries it again once it is due. Nothing is dropped: a sink that is down
for a day gets its alerts when it is back, oldest first.
"""

from __future__ import annotations

import time
from collections import Counter
from dataclasses import dataclass, field
from typing import Callable, Iterable, Mapping

from orchestration.settings import Paths

from .model import Alert
from .sinks import SinkError, configured_sinks
from .store import AlertStore, store_path

BACKOFF_BASE_SECONDS = 30.0
BACKOFF_CAP_SECONDS = 3600.0


def backoff_seconds(attempts: int) -> float:
    """Wait after the n-th failed attempt: 30 s, 1 min, 2 min, ... at most an hour."""
    if attempts < 1:
        return 0.0
    return min(BACKOFF_BASE_SECONDS * 2 ** (attempts - 1), BACKOFF_CAP_SECONDS)


@dataclass
class DeliveryReport:
    recorded: list[Alert] = field(default_factory=list)  # new alerts of this call
    delivered: Counter = field(default_factory=Counter)  # sink -> alerts delivered
    failed: dict[str, str] = field(default_factory=dict)  # sink -> last error (no secrets)
    problems: list[str] = field(default_factory=list)  # sinks configured wrongly
    sinks: list[str] = field(default_factory=list)

    def summary(self) -> str:
        parts = []
        if self.recorded:
            kinds = Counter(a.severity for a in self.recorded)
            parts.append(", ".join(f"{n} {s}{'s' if n != 1 else ''}" for s, n in sorted(kinds.items())))
        if self.delivered:
            parts.append("delivered to " + ", ".join(f"{s} ({n})" for s, n in sorted(self.delivered.items())))
        for sink, error in sorted(self.failed.items()):
            parts.append(f"{sink} failed, will retry: {error}")
        return "; ".join(parts) if parts else "nothing new"


def deliver_pending(store: AlertStore, sinks: list, *, tries: int = 1, wait_seconds: float = 1.0,
                    clock: Callable[[], float] = time.time, sleep: Callable[[float], None] = time.sleep,
                    report: DeliveryReport | None = None) -> DeliveryReport:
    """Try every due delivery of the given sinks once (with `tries` quick retries inside).

    A sink that fails is left alone for the rest of this pass: its other alerts stay pending
    untried, so a dead server costs one timeout per pass, not one per alert.
    """
    report = report or DeliveryReport()
    by_name = {sink.name: sink for sink in sinks}
    report.sinks = list(by_name)
    for alert_id, sink_name in store.due(list(by_name), clock()):
        if sink_name in report.failed:
            continue
        alert = store.claim(alert_id, sink_name, clock())
        if alert is None:
            continue  # another process has it, or delivered it meanwhile
        error = None
        for attempt in range(max(1, tries)):
            try:
                by_name[sink_name].send(alert)
                error = None
                break
            except SinkError as exc:
                error = str(exc)
            except Exception as exc:  # a bug in a sink must not leave the claim hanging
                error = f"{type(exc).__name__} in the {sink_name} sink"
            if attempt + 1 < tries:
                sleep(wait_seconds * 2 ** attempt)
        if error is None:
            store.delivered(alert_id, sink_name, clock())
            report.delivered[sink_name] += 1
        else:
            attempts = store.attempts(alert_id, sink_name) + 1
            store.failed(alert_id, sink_name, error, clock() + backoff_seconds(attempts))
            report.failed[sink_name] = error
    return report


def open_store(paths: Paths) -> AlertStore:
    return AlertStore(store_path(paths.home))


def dispatch(paths: Paths, alerts: Iterable[Alert], *, env: Mapping[str, str] | None = None,
             tries: int = 1, wait_seconds: float = 1.0) -> DeliveryReport:
    """Record the alerts (each once, whoever sees it first) and deliver everything due."""
    sinks, problems = configured_sinks(paths.alerts, env)
    store = open_store(paths)
    report = DeliveryReport(problems=problems)
    names = [s.name for s in sinks]
    for alert in alerts:
        if store.record(alert, names):
            report.recorded.append(alert)
    return deliver_pending(store, sinks, tries=tries, wait_seconds=wait_seconds, report=report)
