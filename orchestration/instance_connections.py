"""Dagster's SQLite storages, with their connections kept open while `ksm` runs years.

Dagster's SQLite run, event-log and schedule storages create a new SQLAlchemy engine and open a
new SQLite connection for every statement (NullPool), so that no process holds the files. A
year's run writes about 450 events and reads the run's state back, about 2,000 connections:
each one an engine, a connect, and on closing the last connection a WAL checkpoint. Within
`held_connections` each database file keeps one engine with a small pool instead, for as long
as the block runs, and the event log remembers which of its tables exist (Dagster asks before
every asset event); afterwards the engines are disposed and the storages are as Dagster made
them. Storing a year's 453 events: 4.8 s wall, 3.5 CPU s -> 0.8 s, 0.7 CPU s (`bench/events.py`).

What stays as it was: the same database files, statements and transactions (each statement
block still commits on its own), the same busy timeout, and Dagster's own lock around the event
log. An idle pooled connection holds no SQLite lock, so the UI, the daemon and other `ksm`
processes read and write the same files as before.
"""

from __future__ import annotations

import contextlib
import os
import threading
from collections import OrderedDict
from collections.abc import Callable, Iterator

# the event log opens one database per run plus its index; a run touches two or three
ENGINES_KEPT = 8


class EngineCache:
    """One SQLAlchemy engine per connection string, least recently used first out (disposed).
    Engines made in another process (after a fork) are dropped without closing their
    connections, which belong to the parent."""

    def __init__(self, limit: int = ENGINES_KEPT):
        self._limit = limit
        self._engines: OrderedDict[str, object] = OrderedDict()
        self._lock = threading.Lock()
        self._pid = os.getpid()

    def engine(self, conn_string: str, connect_args: dict):
        import sqlalchemy as sa

        with self._lock:
            if os.getpid() != self._pid:
                for engine in self._engines.values():
                    engine.dispose(close=False)
                self._engines.clear()
                self._pid = os.getpid()
            engine = self._engines.get(conn_string)
            if engine is not None:
                self._engines.move_to_end(conn_string)
                return engine
            # one connection kept; more at once when threads ask (never a wait), closed on return
            engine = sa.create_engine(conn_string, poolclass=sa.pool.QueuePool, pool_size=1,
                                      max_overflow=-1, connect_args=connect_args)
            self._engines[conn_string] = engine
            while len(self._engines) > self._limit:
                _, oldest = self._engines.popitem(last=False)
                oldest.dispose()
            return engine

    def __len__(self) -> int:
        return len(self._engines)

    def dispose(self) -> None:
        with self._lock:
            for engine in self._engines.values():
                engine.dispose(close=os.getpid() == self._pid)
            self._engines.clear()


def _pooled_event_log_connect(storage, cache: EngineCache):
    """SqliteEventLogStorage._connect with the engine taken from the cache (same lock, same
    first-use schema check per shard, same busy timeout)."""
    from dagster._core.storage.event_log.sqlite.sqlite_event_log import SQLITE_BUSY_TIMEOUT_SECONDS

    @contextlib.contextmanager
    def _connect(shard: str) -> Iterator:
        with storage._db_lock:
            engine = cache.engine(storage.conn_string_for_shard(shard), {"timeout": SQLITE_BUSY_TIMEOUT_SECONDS})
            if shard not in storage._initialized_dbs:
                storage._initdb(engine)
                storage._initialized_dbs.add(shard)
            with engine.connect() as conn, conn.begin():
                yield conn

    return _connect


def _pooled_connect(storage, cache: EngineCache):
    """SqliteRunStorage.connect / SqliteScheduleStorage.connect with a cached engine."""

    @contextlib.contextmanager
    def connect() -> Iterator:
        engine = cache.engine(storage._conn_string, {})
        with engine.connect() as conn, conn.begin():
            yield conn

    return connect


def _remembered_tables(storage, cache: EngineCache):
    """SqliteEventLogStorage.has_table, remembering the tables found: Dagster asks before every
    asset event and check (about 380 times a year), each time with a new engine. A table that
    exists stays (Dagster's own migrations only add tables); a missing one is asked again."""
    ask = type(storage).has_table.__get__(storage)
    found: set[str] = set()

    def has_table(table_name: str) -> bool:
        if table_name not in found and ask(table_name):
            found.add(table_name)
        return table_name in found

    return has_table


def _patch_points(instance) -> list[tuple[object, str, Callable]]:
    """(storage, method name, factory) for each of the instance's storages that is Dagster's
    SQLite storage; any other storage (Postgres, a later Dagster's) is left alone."""
    from dagster._core.storage.event_log.sqlite.sqlite_event_log import SqliteEventLogStorage
    from dagster._core.storage.runs.sqlite.sqlite_run_storage import SqliteRunStorage
    from dagster._core.storage.schedules.sqlite.sqlite_schedule_storage import SqliteScheduleStorage

    points = []
    event_log = instance.event_log_storage
    if type(event_log) is SqliteEventLogStorage and hasattr(event_log, "_db_lock"):
        points.append((event_log, "_connect", _pooled_event_log_connect))
        points.append((event_log, "has_table", _remembered_tables))
    for storage, kind in ((instance.run_storage, SqliteRunStorage),
                          (instance.schedule_storage, SqliteScheduleStorage)):
        if type(storage) is kind and hasattr(storage, "_conn_string"):
            points.append((storage, "connect", _pooled_connect))
    return points


@contextlib.contextmanager
def held_connections(instance) -> Iterator[EngineCache]:
    """Within the block, the instance's SQLite storages keep their connections open (one engine
    per database file); on leaving it, Dagster's own connect methods are back and every engine
    is disposed (which checkpoints the WAL files)."""
    cache = EngineCache()
    patched = []
    try:
        for storage, name, factory in _patch_points(instance):
            setattr(storage, name, factory(storage, cache))
            patched.append((storage, name))
        yield cache
    finally:
        for storage, name in patched:
            with contextlib.suppress(AttributeError):
                delattr(storage, name)  # the instance attribute shadowed the class's method
        cache.dispose()
