"""Dagster's SQLite storages with their connections held open while `ksm` runs years
(orchestration/instance_connections.py): the same rows in the same files, far fewer connections,
nothing held once the block ends, and other processes still write the same files meanwhile."""

import subprocess
import sys
import textwrap
import time

import pytest
import sqlalchemy as sa
from dagster import AssetKey, AssetMaterialization, DagsterEvent, DagsterEventType, DagsterInstance
from dagster._core.events import StepMaterializationData
from dagster._core.events.log import EventLogEntry

from orchestration.instance_connections import EngineCache, held_connections

RUN_ID = "0a0a0a0a-1111-2222-3333-444444444444"


def materialization(number: int, run_id: str = RUN_ID) -> EventLogEntry:
    event = DagsterEvent(
        event_type_value=DagsterEventType.ASSET_MATERIALIZATION.value, job_name="yearly",
        event_specific_data=StepMaterializationData(
            AssetMaterialization(asset_key=AssetKey(["marts", f"model_{number % 7}"]), partition="2024")))
    return EventLogEntry(error_info=None, level=10, user_message="", run_id=run_id, timestamp=time.time(),
                         dagster_event=event, job_name="yearly")


@pytest.fixture
def connects():
    """Every SQLite connection any SQLAlchemy engine opens meanwhile."""
    opened = []

    def count(dbapi_connection, record):
        opened.append(dbapi_connection)

    sa.event.listen(sa.engine.Engine, "connect", count)
    yield opened
    sa.event.remove(sa.engine.Engine, "connect", count)


def stored_materializations(home) -> int:
    """Read back by a fresh instance, as the UI or the next `ksm` would."""
    with DagsterInstance.from_config(str(home)) as instance:
        return len(instance.all_logs(RUN_ID, of_type=DagsterEventType.ASSET_MATERIALIZATION))


def test_events_are_stored_over_a_few_held_connections(tmp_path, connects):
    with DagsterInstance.from_config(str(tmp_path)) as instance:
        instance.event_log_storage.store_event(materialization(0))  # the shard's first use
        before = len(connects)
        for number in range(1, 41):
            instance.event_log_storage.store_event(materialization(number))
        stock = len(connects) - before
        with held_connections(instance) as cache:
            before = len(connects)
            for number in range(41, 81):
                instance.event_log_storage.store_event(materialization(number))
            instance.get_run_records()  # the run storage too
            held = len(connects) - before
            assert 1 <= len(cache) <= 3  # the run's shard, the index, runs.db
        assert len(cache) == 0  # disposed on leaving the block
    assert stock >= 40  # Dagster's own: at least one connection per event
    assert held <= 4, held
    assert stored_materializations(tmp_path) == 81


def test_leaving_the_block_restores_dagsters_methods(tmp_path):
    with DagsterInstance.from_config(str(tmp_path)) as instance:
        storages = [instance.event_log_storage, instance.run_storage, instance.schedule_storage]
        with held_connections(instance):
            patched = [sorted(vars(s).keys() & {"_connect", "connect", "has_table"}) for s in storages]
        assert patched == [["_connect", "has_table"], ["connect"], ["connect"]]
        assert all(not (vars(s).keys() & {"_connect", "connect", "has_table"}) for s in storages)
        instance.event_log_storage.store_event(materialization(1))
    assert stored_materializations(tmp_path) == 1


def test_another_process_writes_while_connections_are_held(tmp_path):
    """An idle held connection holds no lock: a second process (the UI, a sensor, another
    `ksm`) stores events in the same run's database meanwhile, and both sets are there."""
    writer = textwrap.dedent(f"""
        import sys
        sys.path.insert(0, {str(__import__('pathlib').Path(__file__).parent)!r})
        from dagster import DagsterInstance
        from test_instance_connections import materialization
        with DagsterInstance.from_config({str(tmp_path)!r}) as instance:
            for number in range(100, 120):
                instance.event_log_storage.store_event(materialization(number))
    """)
    with DagsterInstance.from_config(str(tmp_path)) as instance:
        with held_connections(instance):
            instance.event_log_storage.store_event(materialization(0))
            subprocess.run([sys.executable, "-c", writer], check=True, timeout=120)
            instance.event_log_storage.store_event(materialization(1))
            seen = len(instance.all_logs(RUN_ID, of_type=DagsterEventType.ASSET_MATERIALIZATION))
    assert seen == 22
    assert stored_materializations(tmp_path) == 22


def test_the_least_recently_used_engine_is_disposed(tmp_path):
    cache = EngineCache(limit=2)
    urls = [f"sqlite:///{tmp_path / name}.db" for name in ("a", "b", "c")]
    first = cache.engine(urls[0], {})
    with first.connect() as conn:
        conn.execute(sa.text("select 1"))
    assert first.pool.checkedin() == 1
    cache.engine(urls[1], {})
    assert cache.engine(urls[0], {}) is first  # used again: now the newest
    cache.engine(urls[2], {})  # evicts b, not a
    assert len(cache) == 2 and cache.engine(urls[0], {}) is first
    cache.dispose()
    assert len(cache) == 0 and first.pool.checkedin() == 0


def test_run_years_holds_the_connections(tmp_path, monkeypatch):
    """`ksm run`'s loop over the years is where the connections are held."""
    import orchestration.instance_connections as connections
    from orchestration.settings import Paths
    from orchestration.yearly_runs import run_years

    entered = []
    real = connections.held_connections

    def spy(instance):
        entered.append(instance)
        return real(instance)

    monkeypatch.setattr(connections, "held_connections", spy)
    (tmp_path / "dagster").mkdir()
    with DagsterInstance.from_config(str(tmp_path / "dagster")) as instance:
        assert run_years(Paths(tmp_path), job=None, instance=instance, plan=[], say=lambda line: None) == 0
    assert entered == [instance]
