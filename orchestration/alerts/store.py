"""The durable alert store: `$KSM_HOME/alerts.sqlite`, one row per alert and one per alert x sink.

SQLite, not the warehouse: DuckDB has one writer, and the daemon's sensors and `ksm run` both
write here, possibly at the same time. Every change is one short transaction; a delivery is
claimed (state 'sending' with a lease) before it is attempted, so two processes never send the
same alert to the same sink. A process that dies while sending leaves a lease that runs out, and
the delivery is tried again.
"""

from __future__ import annotations

import contextlib
import json
import sqlite3
import time
from dataclasses import dataclass
from pathlib import Path

from .model import Alert

PENDING, SENDING, DELIVERED = "pending", "sending", "delivered"
LEASE_SECONDS = 120.0  # longer than any send can take (timeouts are 10 s per try)

SCHEMA = """
CREATE TABLE IF NOT EXISTS alerts (
    id TEXT PRIMARY KEY,
    time TEXT NOT NULL,
    severity TEXT NOT NULL,
    year INTEGER,
    asset TEXT NOT NULL,
    check_name TEXT NOT NULL,
    run_id TEXT,
    body TEXT NOT NULL,
    recorded_at REAL NOT NULL
);
CREATE INDEX IF NOT EXISTS alerts_recorded ON alerts (recorded_at);
CREATE TABLE IF NOT EXISTS deliveries (
    alert_id TEXT NOT NULL REFERENCES alerts (id),
    sink TEXT NOT NULL,
    state TEXT NOT NULL,
    attempts INTEGER NOT NULL DEFAULT 0,
    next_attempt REAL NOT NULL,
    lease_until REAL,
    last_error TEXT,
    delivered_at REAL,
    PRIMARY KEY (alert_id, sink)
);
"""


@dataclass(frozen=True)
class Delivery:
    alert: Alert
    sink: str
    state: str
    attempts: int
    next_attempt: float
    last_error: str | None
    delivered_at: float | None


def store_path(home: Path) -> Path:
    return Path(home) / "alerts.sqlite"


class AlertStore:
    def __init__(self, path: Path):
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with self._connect() as con:
            con.executescript(SCHEMA)

    @contextlib.contextmanager
    def _connect(self):
        # a fresh connection per operation: safe across threads (sensor ticks) and processes
        con = sqlite3.connect(self.path, timeout=30.0, isolation_level=None)
        try:
            con.execute("PRAGMA journal_mode=WAL")
            con.execute("PRAGMA busy_timeout=30000")
            yield con
        finally:
            con.close()

    @contextlib.contextmanager
    def _transaction(self):
        with self._connect() as con:
            con.execute("BEGIN IMMEDIATE")
            try:
                yield con
            except BaseException:
                con.execute("ROLLBACK")
                raise
            con.execute("COMMIT")

    def record(self, alert: Alert, sinks: list[str], now: float | None = None) -> bool:
        """Store the alert (if new) with a pending delivery for each sink it lacks; True when new.

        An alert seen again by a process with more sinks configured gets those sinks added;
        a sink that delivered it already is left alone.
        """
        now = time.time() if now is None else now
        with self._transaction() as con:
            new = con.execute(
                "INSERT OR IGNORE INTO alerts (id, time, severity, year, asset, check_name, run_id, body, recorded_at) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (alert.id, alert.time, alert.severity, alert.year, alert.asset, alert.check, alert.run_id,
                 json.dumps(alert.as_dict(), sort_keys=True), now),
            ).rowcount == 1
            con.executemany(
                "INSERT OR IGNORE INTO deliveries (alert_id, sink, state, next_attempt) VALUES (?, ?, ?, ?)",
                [(alert.id, sink, PENDING, now) for sink in sinks],
            )
        return new

    def due(self, sinks: list[str], now: float | None = None) -> list[tuple[str, str]]:
        """(alert id, sink) of every delivery that may be tried now, oldest alert first."""
        now = time.time() if now is None else now
        if not sinks:
            return []
        marks = ",".join("?" * len(sinks))
        with self._connect() as con:
            return con.execute(
                f"SELECT d.alert_id, d.sink FROM deliveries d JOIN alerts a ON a.id = d.alert_id "
                f"WHERE d.sink IN ({marks}) AND ((d.state = ? AND d.next_attempt <= ?) "
                f"OR (d.state = ? AND d.lease_until < ?)) ORDER BY a.recorded_at, a.time, a.id",
                (*sinks, PENDING, now, SENDING, now),
            ).fetchall()

    def claim(self, alert_id: str, sink: str, now: float | None = None) -> Alert | None:
        """Take one due delivery for this process; None when another process has it or it is done."""
        now = time.time() if now is None else now
        with self._transaction() as con:
            taken = con.execute(
                "UPDATE deliveries SET state = ?, lease_until = ? WHERE alert_id = ? AND sink = ? "
                "AND ((state = ? AND next_attempt <= ?) OR (state = ? AND lease_until < ?))",
                (SENDING, now + LEASE_SECONDS, alert_id, sink, PENDING, now, SENDING, now),
            ).rowcount == 1
            if not taken:
                return None
            body = con.execute("SELECT body FROM alerts WHERE id = ?", (alert_id,)).fetchone()[0]
        return Alert.from_dict(json.loads(body))

    def delivered(self, alert_id: str, sink: str, now: float | None = None) -> None:
        now = time.time() if now is None else now
        with self._transaction() as con:
            con.execute(
                "UPDATE deliveries SET state = ?, attempts = attempts + 1, lease_until = NULL, last_error = NULL, "
                "delivered_at = ? WHERE alert_id = ? AND sink = ?",
                (DELIVERED, now, alert_id, sink),
            )

    def failed(self, alert_id: str, sink: str, error: str, retry_at: float) -> None:
        with self._transaction() as con:
            con.execute(
                "UPDATE deliveries SET state = ?, attempts = attempts + 1, lease_until = NULL, last_error = ?, "
                "next_attempt = ? WHERE alert_id = ? AND sink = ?",
                (PENDING, error[:500], retry_at, alert_id, sink),
            )

    def make_due(self, sinks: list[str], now: float | None = None) -> int:
        """Pending deliveries of these sinks may be tried now (`ksm alerts --deliver`)."""
        now = time.time() if now is None else now
        marks = ",".join("?" * len(sinks))
        with self._transaction() as con:
            return con.execute(f"UPDATE deliveries SET next_attempt = ? WHERE state = ? AND sink IN ({marks}) "
                               "AND next_attempt > ?", (now, PENDING, *sinks, now)).rowcount

    def attempts(self, alert_id: str, sink: str) -> int:
        with self._connect() as con:
            row = con.execute("SELECT attempts FROM deliveries WHERE alert_id = ? AND sink = ?",
                              (alert_id, sink)).fetchone()
        return row[0] if row else 0

    def recent(self, limit: int = 20) -> list[tuple[Alert, dict[str, Delivery]]]:
        """The newest alerts (oldest of them first) with their delivery per sink."""
        with self._connect() as con:
            rows = con.execute(
                "SELECT id, body FROM alerts ORDER BY recorded_at DESC, time DESC, id LIMIT ?", (limit,)
            ).fetchall()
            found = []
            for alert_id, body in reversed(rows):
                alert = Alert.from_dict(json.loads(body))
                deliveries = {
                    sink: Delivery(alert, sink, state, attempts, next_attempt, error, at)
                    for sink, state, attempts, next_attempt, error, at in con.execute(
                        "SELECT sink, state, attempts, next_attempt, last_error, delivered_at FROM deliveries "
                        "WHERE alert_id = ?", (alert_id,))
                }
                found.append((alert, deliveries))
        return found
