"""Bounds on what a query of the published file may cost: time, memory and rows.

Whoever queries the published file through `ksm` (`ksm query`, `ksm report`) can write a
statement that never ends (a triple cross join) or one that eats the machine's memory. DuckDB
has no statement timeout of its own, so a timer thread interrupts the connection; its memory
limit is set when the connection is opened (`published.open_published`), with nothing to
spill to; the rows fetched into Python are capped too, since DuckDB's limit does not cover them.
Each bound ends the query with one line that says which setting raises it.
"""

from __future__ import annotations

import contextlib
import os
import re
import threading
from collections.abc import Iterator
from dataclasses import dataclass

import duckdb

TIMEOUT_ENV = "KSM_QUERY_TIMEOUT_SECONDS"
MEMORY_ENV = "KSM_QUERY_MEMORY_LIMIT"
MAX_ROWS_ENV = "KSM_QUERY_MAX_ROWS"
DEFAULT_TIMEOUT_SECONDS = 60.0
DEFAULT_MEMORY_LIMIT = "2GB"
DEFAULT_MAX_ROWS = 1_000_000
_MEMORY = re.compile(r"^[0-9]+(\.[0-9]+)?\s*(B|KB|MB|GB|TB|KIB|MIB|GIB|TIB)$", re.IGNORECASE)
_FETCH_CHUNK = 10_000


class QueryLimitExceeded(Exception):
    """A query stopped by one of the bounds, or a bound set to something unreadable; one line."""


@dataclass(frozen=True)
class QueryBounds:
    timeout_seconds: float = DEFAULT_TIMEOUT_SECONDS
    memory_limit: str = DEFAULT_MEMORY_LIMIT
    max_rows: int = DEFAULT_MAX_ROWS

    @classmethod
    def from_env(cls) -> "QueryBounds":
        timeout = os.environ.get(TIMEOUT_ENV, "").strip() or str(DEFAULT_TIMEOUT_SECONDS)
        memory = os.environ.get(MEMORY_ENV, "").strip() or DEFAULT_MEMORY_LIMIT
        rows = os.environ.get(MAX_ROWS_ENV, "").strip() or str(DEFAULT_MAX_ROWS)
        try:
            seconds = float(timeout)
            if not seconds > 0 or seconds == float("inf"):
                raise ValueError
        except ValueError:
            raise QueryLimitExceeded(f"{TIMEOUT_ENV}={timeout!r} is not a number of seconds above 0") from None
        if not _MEMORY.match(memory):
            raise QueryLimitExceeded(f"{MEMORY_ENV}={memory!r} is not a size such as 2GB or 500MB")
        if not rows.isdigit() or int(rows) < 1:
            raise QueryLimitExceeded(f"{MAX_ROWS_ENV}={rows!r} is not a whole number above 0")
        return cls(seconds, memory.replace(" ", ""), int(rows))


@contextlib.contextmanager
def time_limit(con: duckdb.DuckDBPyConnection, bounds: QueryBounds) -> Iterator[None]:
    """Interrupt whatever `con` runs once the time is up; the interruption becomes one line."""
    fired = threading.Event()

    def stop() -> None:
        fired.set()
        con.interrupt()

    timer = threading.Timer(bounds.timeout_seconds, stop)
    timer.daemon = True
    timer.start()
    try:
        yield
    except duckdb.InterruptException:
        if not fired.is_set():
            raise KeyboardInterrupt from None  # Ctrl-C, not the timer: `ksm: interrupted`
        raise QueryLimitExceeded(
            f"query stopped after {bounds.timeout_seconds:g} s; set {TIMEOUT_ENV} to allow longer "
            "(or narrow the query)") from None
    except duckdb.OutOfMemoryException:
        raise QueryLimitExceeded(
            f"query needs more than {bounds.memory_limit} of memory; set {MEMORY_ENV} to allow more "
            "(or narrow the query)") from None
    except MemoryError:
        raise QueryLimitExceeded(
            f"the query's result does not fit in memory; add a LIMIT or lower {MAX_ROWS_ENV}") from None
    finally:
        timer.cancel()


def run_bounded(con: duckdb.DuckDBPyConnection, sql: str, bounds: QueryBounds,
                parameters: list | dict | None = None) -> tuple[list[str], list[tuple]]:
    """Column names and rows of one statement, within the bounds."""
    with time_limit(con, bounds):
        cursor = con.execute(sql, parameters) if parameters is not None else con.execute(sql)
        columns = [d[0] for d in cursor.description] if cursor.description else []
        rows: list[tuple] = []
        while columns:
            chunk = cursor.fetchmany(_FETCH_CHUNK)
            if not chunk:
                break
            rows.extend(chunk)
            if len(rows) > bounds.max_rows:
                raise QueryLimitExceeded(
                    f"the result has more than {bounds.max_rows:,} rows; add a LIMIT, aggregate, or set "
                    f"{MAX_ROWS_ENV} to allow more (a whole year as files: ksm export)")
    return columns, rows
