"""What a Dagster run recorded about itself: its check evaluations and its failed steps.

The one reader of a run's outcome. The CLI's run summary and `ksm status`, the release gate and
the alerts all take it from here, so they agree on what failed and how badly.

One severity vocabulary from here on (Great Expectations' own levels stop at
`assets/quality/suites.py`): ERROR blocks the release, WARNING is reported and never blocks. A
check that Dagster recorded without a severity is an ERROR, as Dagster itself treats it.
"""

from __future__ import annotations

from dataclasses import dataclass

ERROR = "error"  # blocks the release
WARNING = "warning"  # reported, never blocks
SEVERITIES = (ERROR, WARNING)

CHECK_FAILED_ERROR = "DagsterAssetCheckFailedError"  # a blocking check failing its step


def severity_of(dagster_severity) -> str:
    """Dagster's check severity (an AssetCheckSeverity, its value 'ERROR'/'WARN', or None)."""
    value = getattr(dagster_severity, "value", dagster_severity)
    return WARNING if str(value or "ERROR").upper() == "WARN" else ERROR


def dagster_severity(severity: str):
    """The AssetCheckSeverity that carries one of SEVERITIES into Dagster."""
    import dagster as dg

    return dg.AssetCheckSeverity.WARN if severity == WARNING else dg.AssetCheckSeverity.ERROR


@dataclass(frozen=True)
class CheckOutcome:
    asset: str
    check: str
    passed: bool
    severity: str  # ERROR or WARNING
    description: str | None
    results: str | None  # the file holding the check's detailed results, when it wrote one
    timestamp: float

    @property
    def blocks(self) -> bool:
        return not self.passed and self.severity == ERROR

    @property
    def name(self) -> str:
        return f"{self.asset}:{self.check}"

    def as_dict(self) -> dict:
        entry = {"asset": self.asset, "check": self.check, "passed": self.passed, "severity": self.severity}
        if self.results is not None:
            entry["results"] = self.results
        if self.description:
            entry["description"] = self.description
        return entry


@dataclass(frozen=True)
class RunOutcome:
    checks: tuple[CheckOutcome, ...]
    step_failures: tuple[str, ...]  # one line per failed step that is not a blocking check failing

    @property
    def passed(self) -> int:
        return sum(1 for c in self.checks if c.passed)

    @property
    def blocking(self) -> list[CheckOutcome]:
        return [c for c in self.checks if c.blocks]

    @property
    def warnings(self) -> list[CheckOutcome]:
        return [c for c in self.checks if not c.passed and c.severity == WARNING]

    def check_summary(self) -> dict:
        """The counts a release records (`releases.checks_*`, the manifest's `checks`)."""
        return {"passed": self.passed, "failed": len(self.blocking), "warnings": len(self.warnings),
                "failed_checks": [c.as_dict() for c in self.checks if not c.passed]}

    def failure_lines(self) -> list[str]:
        """One line per reason the run did not release: each failed blocking check (with the
        file holding its results), then each failed step that is not such a check failing."""
        lines = []
        for c in self.blocking:
            line = f"check {c.name}" + (f": {c.description}" if c.description else "")
            if c.results is not None:
                line += f"\n         results: {c.results}"
            lines.append(line)
        return lines + list(self.step_failures)


def step_failure_reason(event) -> str | None:
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


def _check_outcome(evaluation, timestamp: float) -> CheckOutcome:
    results = evaluation.metadata.get("results")
    return CheckOutcome(
        asset=evaluation.asset_key.to_user_string(), check=evaluation.check_name,
        passed=bool(evaluation.passed), severity=severity_of(evaluation.severity),
        description=evaluation.description or None,
        results=str(results.value) if results is not None else None, timestamp=timestamp,
    )


def read_run_outcome(instance, run_id: str) -> RunOutcome:
    """The checks evaluated and the steps failed in one run so far, in the order recorded."""
    from dagster import DagsterEventType

    records = instance.get_records_for_run(
        run_id, of_type={DagsterEventType.ASSET_CHECK_EVALUATION, DagsterEventType.STEP_FAILURE}
    ).records
    checks, failures = [], []
    for entry in (r.event_log_entry for r in records):
        event = entry.dagster_event
        if event.event_type == DagsterEventType.ASSET_CHECK_EVALUATION:
            checks.append(_check_outcome(event.event_specific_data, entry.timestamp))
        else:
            reason = step_failure_reason(event)
            if reason:
                failures.append(reason)
    return RunOutcome(tuple(checks), tuple(failures))
