"""The expectation suites of `expectations/` and how a DataFrame is validated against one.

The JSON files in `expectations/` are the source of truth: one Great Expectations suite per
source (validated on the year's slice of `raw.<source>`) and one for `marts.indicator_values`.
Each expectation carries GX's own `severity`: 'critical' must hold (a failure blocks the year),
'warning' is reported but never blocks. Values that depend on the year (the year itself, the
previous year's row count, the gemeente codes of the classification) are suite parameters
(`{"$PARAMETER": "min_rows"}`) supplied at validation time; an expectation whose parameter
has no value (no previous year yet) is skipped and reported as such.

Great Expectations takes several seconds to import, so it is imported inside the functions
that validate, never at module import (Dagster loads this module for every process).
"""

from __future__ import annotations

import ctypes
import functools
import gc
import json
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from orchestration.assets.quality import row_checks
from orchestration.run_outcome import ERROR, WARNING
from orchestration.settings import EXPECTATIONS_DIR

# The Great Expectations boundary: GX's severities -> ours (run_outcome): only 'critical' blocks
_SEVERITY = {"critical": ERROR, "warning": WARNING, "info": WARNING}


def suite_path(name: str, directory: Path = EXPECTATIONS_DIR) -> Path:
    return directory / f"{name}.json"


def load_suite_json(name: str, directory: Path = EXPECTATIONS_DIR) -> dict:
    """The suite as stored in `expectations/<name>.json` (plain JSON, no GX import)."""
    path = suite_path(name, directory)
    if not path.exists():
        raise FileNotFoundError(f"no expectation suite {path}")
    return json.loads(path.read_text(encoding="utf-8"))


def suite_settings(suite: dict) -> dict:
    """The project's own settings of a suite (`meta.ksm`: table, slice, row-count band)."""
    return dict(suite.get("meta", {}).get("ksm", {}))


def row_count_band_setting(name: str) -> float:
    """The suite's band around the previous year's row count (`meta.ksm.row_count_band`), as a
    fraction; a quarter when the suite does not say."""
    return float(suite_settings(load_suite_json(name)).get("row_count_band", 0.25))


def parameters_of(expectation: dict) -> set[str]:
    """Names of the suite parameters an expectation refers to."""
    found: set[str] = set()

    def walk(value: Any) -> None:
        if isinstance(value, dict):
            if "$PARAMETER" in value:
                found.add(str(value["$PARAMETER"]))
            else:
                for v in value.values():
                    walk(v)
        elif isinstance(value, list):
            for v in value:
                walk(v)

    walk(expectation.get("kwargs", {}))
    return found


def severity_of(expectation: dict) -> str:
    return _SEVERITY.get(str(expectation.get("severity") or "critical").lower(), ERROR)


def describe(expectation: dict) -> str:
    """'expect_column_values_to_be_between(amww)': an expectation's type and column(s)."""
    kwargs = expectation.get("kwargs", {})
    target = kwargs.get("column") or ", ".join(
        str(c) for c in (kwargs.get("column_list") or [kwargs.get("column_A"), kwargs.get("column_B")]) if c
    )
    return f"{expectation['type']}({target})" if target else expectation["type"]


def condition_of(expectation: dict) -> str:
    """The row condition of an expectation as text ('' when it applies to every row)."""
    return _condition_text(expectation.get("kwargs", {}).get("row_condition"))


def _condition_text(condition: Any) -> str:
    """GX's serialised row conditions (Column('x') == 'a', & and |) as one line of text."""
    if not condition:
        return ""
    if isinstance(condition, str):
        return condition
    kind = condition.get("type")
    if kind in ("and", "or"):
        return f" {kind} ".join(_condition_text(c) for c in condition.get("conditions", []))
    if kind == "comparison":
        operator = {"IN": "in", "NOT_IN": "not in"}.get(condition["operator"], condition["operator"])
        return f"{condition['column']['name']} {operator} {condition['parameter']!r}"
    if kind == "nullity":
        return f"{condition['column']['name']} is {'null' if condition['is_null'] else 'not null'}"
    return condition.get("pass_through_filter") or json.dumps(condition, default=str)


@dataclass
class FailedExpectation:
    expectation: str  # type(column)
    severity: str  # run_outcome.ERROR (blocks) | WARNING
    observed: str
    description: str = ""
    condition: str = ""  # the rows it applies to, when not all

    def as_dict(self) -> dict:
        found = {"expectation": self.expectation, "severity": self.severity, "observed": self.observed,
                 "description": self.description}
        if self.condition:
            found["rows"] = self.condition
        return found


@dataclass
class SuiteOutcome:
    """What one validation found, split into the blocking and the warning part."""

    suite: str
    rows: int
    evaluated: dict[str, int]  # per severity
    failed: list[FailedExpectation]
    skipped: list[dict]  # expectations left out because a parameter had no value
    parameters: dict
    result: dict = field(repr=False)  # the GX validation result as JSON
    path: Path | None = None

    def failures(self, severity: str) -> list[FailedExpectation]:
        return [f for f in self.failed if f.severity == severity]

    def passed(self, severity: str) -> bool:
        return not self.failures(severity)

    def summary(self, severity: str) -> str:
        failed = self.failures(severity)
        total = self.evaluated.get(severity, 0)
        kind = "blocking" if severity == ERROR else "warning"
        if not failed:
            text = f"{self.suite}: all {total} {kind} expectations passed on {self.rows:,} rows"
        else:
            shown = "; ".join(f"{f.expectation}: {f.observed}" for f in failed[:3])
            text = f"{self.suite}: {len(failed)} of {total} {kind} expectations failed: {shown}"
            text += "; ..." if len(failed) > 3 else ""
        skipped = [s for s in self.skipped if s["severity"] == severity]
        if skipped:
            text += f"; {len(skipped)} skipped (no previous year or reference data)"
        return text


def _observed(result: dict) -> str:
    """One line on what GX saw for a failed expectation."""
    exception = result.get("exception_info") or {}
    # GX puts an error at the top, or under the id of each metric that failed to compute
    raised = [exception] + [v for v in exception.values() if isinstance(v, dict)]
    for found in raised:
        if found.get("raised_exception"):
            message = str(found.get("exception_message") or "").strip().splitlines() or ["(no message)"]
            return "error: " + message[0][:200]
    res = result.get("result") or {}
    if "unexpected_count" in res and res.get("element_count") is not None:
        checked = res["element_count"] - (res.get("missing_count") or 0)  # nulls are not checked
        text = f"{res['unexpected_count']:,} of {checked:,} values unexpected"
        if res.get("unexpected_percent") is not None:
            text += f" ({res['unexpected_percent']:.1f}%)"
        examples = list(dict.fromkeys(repr(v) for v in res.get("partial_unexpected_list") or []))
        if examples:
            text += ", e.g. " + ", ".join(examples[:3])
        return text
    if "partial_missing_list" in res:
        missing = res.get("partial_missing_list") or []
        return f"missing: {', '.join(str(v) for v in missing[:5])}" + (", ..." if len(missing) > 5 else "")
    if "observed_value" in res:
        observed = res["observed_value"]
        if isinstance(observed, (list, dict)):
            observed = json.dumps(observed, default=str)[:200]
        details = res.get("details") or {}
        if details.get("mismatched"):
            return f"observed {observed}; mismatched {json.dumps(details['mismatched'], default=str)[:200]}"
        return f"observed {observed}"
    return json.dumps(res, default=str)[:200]


def for_gx(frame: pd.DataFrame) -> pd.DataFrame:
    """pandas 3 stores text as StringDtype, which GX 1.24's type expectations do not recognise:
    text columns are handed over as object columns of str (None for missing)."""
    converted = frame.copy(deep=False)  # numeric columns are shared, not copied (copy-on-write)
    for column in converted.columns:
        if isinstance(converted[column].dtype, pd.StringDtype):
            converted[column] = converted[column].astype(object).where(converted[column].notna(), None)
    return converted


def _json_safe(value: Any) -> Any:
    if isinstance(value, dict):
        return {str(k): _json_safe(v) for k, v in value.items()}
    if isinstance(value, (list, tuple, set)):
        return [_json_safe(v) for v in value]
    if hasattr(value, "item") and not isinstance(value, (str, bytes)):
        return value.item()  # numpy scalars
    return value


def _shortened(parameters: dict) -> dict:
    """Parameters for the summary: long lists (the gemeente codes) cut to their size and first
    values; the expectations in the GX part of the result hold them in full."""
    return {k: (f"{len(v)} values: {', '.join(map(str, v[:5]))}, ..." if isinstance(v, list) and len(v) > 10 else v)
            for k, v in parameters.items()}


def import_great_expectations():
    """GX and what validating needs of it: several seconds the first time in a process (the
    run's checks worker does it ahead of the first checks, `worker.py`)."""
    os.environ.setdefault("GX_ANALYTICS_ENABLED", "false")  # never send usage statistics anywhere
    import great_expectations as gx
    from great_expectations.data_context.types.base import ProgressBarsConfig

    return gx, ProgressBarsConfig


def validate_frame(name: str, frame: pd.DataFrame, parameters: dict | None = None,
                   directory: Path = EXPECTATIONS_DIR, rows_in_duckdb: bool = True) -> SuiteOutcome:
    """Validate `frame` against `expectations/<name>.json`: the row-level expectations in DuckDB
    (`row_checks.py`; with `rows_in_duckdb=False` in GX too, as the tests compare), the others in
    an ephemeral GX context."""
    gx, ProgressBarsConfig = import_great_expectations()

    _no_frame_fingerprint()
    stored = load_suite_json(name, directory)
    parameters = {k: _json_safe(v) for k, v in (parameters or {}).items() if v is not None}
    kept, skipped = [], []
    for expectation in stored.get("expectations", []):
        missing = parameters_of(expectation) - set(parameters)
        if missing:
            skipped.append({"expectation": describe(expectation), "severity": severity_of(expectation),
                            "reason": f"no value for {', '.join(sorted(missing))}"})
        else:
            kept.append(expectation)
    # row-level expectations in DuckDB (row_checks.py), the rest in GX: one result, GX's shape
    frame_for_gx = for_gx(frame)
    in_duckdb, in_gx = [], []
    for expectation in kept:
        evaluable = rows_in_duckdb and row_checks.evaluable(expectation, frame_for_gx, parameters)
        (in_duckdb if evaluable else in_gx).append(expectation)
    suite = gx.ExpectationSuite(name=stored["name"], expectations=in_gx, meta=stored.get("meta"),
                                notes=stored.get("notes"))

    context = gx.get_context(mode="ephemeral")
    context.variables.progress_bars = ProgressBarsConfig(globally=False)
    try:
        batch = (context.data_sources.add_pandas("ksm")
                 .add_dataframe_asset(name)
                 .add_batch_definition_whole_dataframe("slice")
                 .get_batch(batch_parameters={"dataframe": frame_for_gx}))
        result = batch.validate(suite, expectation_parameters=parameters).to_json_dict()
        del batch
    finally:
        context.data_sources.delete("ksm")  # the context outlives this call; its datasource holds the frame
    result["results"] = result.get("results", []) + row_checks.evaluate(frame_for_gx, in_duckdb, parameters)
    result["success"] = all(item.get("success") for item in result["results"])
    result["statistics"] = _statistics(result["results"])

    evaluated = {ERROR: 0, WARNING: 0}
    failed = []
    for item in result.get("results", []):
        config = item["expectation_config"]
        severity = severity_of(config)
        evaluated[severity] += 1
        if not item.get("success"):
            failed.append(FailedExpectation(describe(config), severity, _observed(item),
                                            config.get("description") or "", condition_of(config)))
    # our reading of the result, first in the file for a person opening it
    result = {"ksm": {"suite_file": str(suite_path(name, directory)), "rows": len(frame),
                      "evaluated": evaluated, "failed": [f.as_dict() for f in failed],
                      "evaluated_in": {"great_expectations": len(in_gx), "duckdb": len(in_duckdb)},
                      "skipped": skipped, "parameters": _shortened(parameters)}, **result}
    return SuiteOutcome(stored["name"], len(frame), evaluated, failed, skipped, parameters, result)


def _no_frame_fingerprint() -> None:
    """GX hashes every frame it is handed, twice per validation, only to write the hash into the
    result's batch markers: a third of what a large source suite still cost in GX. Our results
    name their inputs already (the run's input checksums in the manifest), so GX's threshold for
    hashing is set to nothing. A GX upgrade that drops the setting fails tests/test_row_checks.py."""
    from great_expectations.execution_engine import pandas_execution_engine

    if hasattr(pandas_execution_engine, "HASH_THRESHOLD"):
        pandas_execution_engine.HASH_THRESHOLD = 0


def _statistics(results: list[dict]) -> dict:
    """GX's summary of a validation, over the results of both engines."""
    passed = sum(1 for item in results if item.get("success"))
    return {"evaluated_expectations": len(results), "successful_expectations": passed,
            "unsuccessful_expectations": len(results) - passed,
            "success_percent": passed / len(results) * 100 if results else None}


# Below this many rows a validated frame is not worth a full collection (next function)
LARGE_FRAME_ROWS = 1_000_000


def release_memory(rows: int) -> None:
    """Give the memory of a validated frame of `rows` rows back to the system. GX hands pandas
    frames of object strings around (millions of small Python objects at national scale); once
    they are garbage, glibc keeps most of their pages unless asked, and the process would enter
    the dbt step, whose DuckDB needs memory of its own, still holding gigabytes. A full
    collection walks the whole heap of the run (Dagster, the dbt manifest): about 0.26 CPU s,
    seven times a year, for frames of a few tens of MiB at national scale. So only a frame of a
    million rows or more (the linked sources at several times national scale) is worth it."""
    if rows < LARGE_FRAME_ROWS:
        return
    gc.collect()
    trim = _malloc_trim()
    if trim is not None:
        trim(0)


@functools.cache
def _malloc_trim():
    """glibc's malloc_trim, or None where the C library has none."""
    try:
        return ctypes.CDLL(None).malloc_trim
    except (OSError, AttributeError):  # not glibc
        return None


def save_json(directory: Path, name: str, content: dict) -> Path:
    """Write `<directory>/<name>.json` atomically (a reader never sees half a file)."""
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / f"{name}.json"
    tmp = path.with_suffix(".json.tmp")
    tmp.write_text(json.dumps(content, indent=2, default=str) + "\n", encoding="utf-8")
    tmp.replace(path)
    return path
