"""`ksm alerts`: the recent alerts with their delivery state per sink."""

from __future__ import annotations

import time

from .sinks import SINK_ORDER
from .store import DELIVERED, PENDING, SENDING, Delivery


def delivery_state(delivery: Delivery | None, now: float | None = None) -> str:
    """'delivered', 'pending (2 tries, next in 3m)', 'sending', or '-' (sink not set up then)."""
    if delivery is None:
        return "-"
    if delivery.state == DELIVERED:
        return "delivered"
    if delivery.state == SENDING:
        return "sending"
    if delivery.state == PENDING and delivery.attempts:
        wait = max(0.0, delivery.next_attempt - (time.time() if now is None else now))
        when = "due now" if wait < 1 else f"next in {_duration(wait)}"
        return f"pending ({delivery.attempts} tr{'y' if delivery.attempts == 1 else 'ies'}, {when})"
    return "pending"


def _duration(seconds: float) -> str:
    return f"{seconds:.0f}s" if seconds < 90 else f"{seconds / 60:.0f}m" if seconds < 5400 else f"{seconds / 3600:.1f}h"


def alert_table(entries, width: int = 70) -> tuple[list[str], list[tuple], list[str]]:
    """Columns, rows and the last error per failing sink, for the CLI table."""
    sinks = [s for s in SINK_ORDER if any(s in d for _, d in entries)]
    rows, errors = [], {}
    for alert, deliveries in entries:
        message = alert.message if len(alert.message) <= width else alert.message[:width - 3] + "..."
        rows.append((alert.time.replace("T", " ")[:19], alert.severity, alert.year if alert.year is not None else "",
                     f"{alert.asset}:{alert.check}", *(delivery_state(deliveries.get(s)) for s in sinks), message))
        for sink, delivery in deliveries.items():
            if delivery.state != DELIVERED and delivery.last_error:
                errors[sink] = delivery.last_error
    notes = [f"{sink}: last error: {error}" for sink, error in sorted(errors.items())]
    return ["time (UTC)", "severity", "year", "asset:check", *sinks, "message"], rows, notes
