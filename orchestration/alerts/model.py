"""An alert: one failed check of one run, one failed run, or a year whose extracts are late.

The fields are those of the README's alert format (`time`, `severity`, `year`, `asset`, `check`,
`message`, `run_id`) plus `id`, a stable key of what the alert is about. Two processes that see
the same failed check (`ksm run` and the daemon's sensor) build the same alert with the same id,
so the store records it once and every sink gets it once.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import asdict, dataclass

from orchestration.escaping import escaped
from orchestration.run_outcome import ERROR, WARNING


RUN_FAILED_CHECK = "run_failed"
FRESHNESS_ASSET = "inbox"
FRESHNESS_CHECK = "freshness"


@dataclass(frozen=True)
class Alert:
    id: str
    time: str  # ISO 8601, UTC: when the check was evaluated / the run failed / the deadline passed
    severity: str
    year: int | None
    asset: str
    check: str
    message: str
    run_id: str | None

    def as_dict(self) -> dict:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict) -> "Alert":
        return cls(**{k: data.get(k) for k in cls.__dataclass_fields__})

    @property
    def title(self) -> str:
        """One line for a chat message or a mail subject."""
        year = f"{self.year} " if self.year is not None else ""
        what = f"{self.asset}:{self.check}"
        return f"[KSM {self.severity.upper()}] {year}{what}"

    @property
    def text(self) -> str:
        """The Slack/Teams `text` of the webhook body: title, message, run."""
        effect = "blocks the release" if self.severity == ERROR else "does not block the release"
        run = f"\nrun {self.run_id}" if self.run_id else ""
        return f"{self.title} ({effect})\n{self.message}{run}"


def alert_id(*parts: object) -> str:
    """A stable id from what identifies the alert (run, asset, check): the same everywhere."""
    key = "\x1f".join("" if p is None else str(p) for p in parts)
    return hashlib.sha256(key.encode("utf-8")).hexdigest()[:24]


def iso_utc(timestamp: float) -> str:
    return dt.datetime.fromtimestamp(timestamp, dt.timezone.utc).isoformat(timespec="seconds")


def check_alert(*, run_id: str, year: int | None, asset: str, check: str, severity: str,
                description: str | None, results: str | None, timestamp: float) -> Alert:
    message = description or "check failed"
    if results:
        message += f" (results: {results})"
    message = escaped(message)  # a value from a delivery must not forge lines in a chat or a mail
    return Alert(id=alert_id(run_id, asset, check), time=iso_utc(timestamp),
                 severity=severity, year=year, asset=asset, check=check,
                 message=message, run_id=run_id)


def run_failed_alert(*, run_id: str, year: int | None, job: str, reasons: list[str], timestamp: float) -> Alert:
    message = "run failed: " + escaped("; ".join(reasons) if reasons else "no step reported why (see the run in the UI)")
    return Alert(id=alert_id(run_id, job, RUN_FAILED_CHECK), time=iso_utc(timestamp), severity=ERROR, year=year,
                 asset=job, check=RUN_FAILED_CHECK, message=message, run_id=run_id)


def freshness_alert(*, year: int, deadline: dt.date, missing: list[str]) -> Alert:
    """One per year and deadline: a later tick finding the same year late raises nothing new."""
    when = dt.datetime.combine(deadline, dt.time(), dt.timezone.utc)
    return Alert(id=alert_id("freshness", year, deadline.isoformat()), time=when.isoformat(timespec="seconds"),
                 severity=WARNING, year=year, asset=FRESHNESS_ASSET, check=FRESHNESS_CHECK,
                 message=f"extracts of {year} still incomplete after {deadline.isoformat()}: "
                         f"missing {', '.join(missing)} in inbox/<source>/{year}/",
                 run_id=None)
