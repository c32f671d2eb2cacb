"""What each suite check validates, as one task on a warehouse connection: read the slice and
its parameters, validate, give the frame's memory back. The check steps (`checks.py`) run these
in the run's warm checks process when there is one (`worker.py`), else themselves; so this
module imports neither Dagster nor, until a task runs, Great Expectations."""

from __future__ import annotations

import duckdb

from .slices import mart_frame, mart_parameters, reference_frame, reference_parameters, source_frame, source_parameters
from .suites import SuiteOutcome, release_memory, validate_frame


def source_suite(con: duckdb.DuckDBPyConnection, source: str, year: int, band: float) -> SuiteOutcome:
    """The source's suite on the year's slice of raw.<source>."""
    frame = source_frame(con, source, year)
    outcome = validate_frame(source, frame, source_parameters(con, source, year, band))
    del frame  # one source's slice in memory at a time
    release_memory(outcome.rows)
    return outcome


def mart_suite(con: duckdb.DuckDBPyConnection, suite: str, year: int) -> SuiteOutcome:
    """The mart suite on the year's rows of marts.indicator_values."""
    frame = mart_frame(con, year)
    outcome = validate_frame(suite, frame, mart_parameters(con, frame))
    del frame
    release_memory(outcome.rows)
    return outcome


def reference_suite(con: duckdb.DuckDBPyConnection, mart: str) -> SuiteOutcome:
    """A reference mart's suite on the whole table."""
    return validate_frame(mart, reference_frame(con, mart), reference_parameters(con, mart))
