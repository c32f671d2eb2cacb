"""What each suite check validates: a reader that takes the slice and its parameters from a
warehouse connection, and `read_and_validate`, which validates it once the connection is closed
(DuckDB's buffers are not kept through the validation) and gives the frame's memory back. The
check steps (`checks.py`) run it in the run's checks worker when there is one (`worker.py`),
else themselves; so this module imports neither Dagster nor, until it validates, Great
Expectations."""

from __future__ import annotations

from dataclasses import dataclass

import duckdb
import pandas as pd

from .slices import mart_frame, mart_parameters, reference_frame, reference_parameters, source_frame, source_parameters
from .suites import SuiteOutcome, release_memory, validate_frame


@dataclass
class Slice:
    """What one suite is validated on."""

    suite: str
    frame: pd.DataFrame
    parameters: dict


def source_slice(con: duckdb.DuckDBPyConnection, source: str, year: int, band: float) -> Slice:
    """The year's slice of raw.<source>, for the source's suite."""
    return Slice(source, source_frame(con, source, year), source_parameters(con, source, year, band))


def mart_slice(con: duckdb.DuckDBPyConnection, suite: str, year: int) -> Slice:
    """The year's rows of marts.indicator_values, for the mart suite."""
    frame = mart_frame(con, year)
    return Slice(suite, frame, mart_parameters(con, frame))


def reference_slice(con: duckdb.DuckDBPyConnection, mart: str) -> Slice:
    """A reference mart whole, for its suite."""
    return Slice(mart, reference_frame(con, mart), reference_parameters(con, mart))


def read_and_validate(connection, read, args: tuple) -> SuiteOutcome:
    """`read(con, *args)` inside `connection` (a context manager of a DuckDB connection, closed
    on leaving), then the slice validated against its suite and let go of (one slice in memory
    at a time)."""
    with connection as con:
        taken = read(con, *args)
    outcome = validate_frame(taken.suite, taken.frame, taken.parameters)
    taken.frame = None
    release_memory(outcome.rows)
    return outcome
