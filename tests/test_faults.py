"""Faults: `ksm run` killed with SIGKILL during ingest, dbt and publishing; a read-only or full
release folder. The next run must complete and release exactly what an uninterrupted run
releases; a failed write must leave the previous release in place with a clear error."""

from __future__ import annotations

import json
import shutil

import duckdb
import pytest

from faults import SECRETS, full_disk, kill_at, read_only, run_ksm
from orchestration.assets.release.publish import ReleaseError, publish_year
from orchestration.settings import Paths
from tiny_inbox import YEAR

pytestmark = pytest.mark.e2e


def manifest(paths: Paths, version: int = 1) -> dict:
    return json.loads((paths.releases / str(YEAR) / f"v{version}" / "manifest.json").read_text())


def unreleased_copy(released, tmp_path) -> Paths:
    """The released home without its releases: the next run has to publish again."""
    home = tmp_path / "ksm"
    shutil.copytree(released[0].home, home)
    for folder in ("releases", "published", "quality", "logs"):
        shutil.rmtree(home / folder, ignore_errors=True)
    return Paths(home)


def test_runs_killed_in_ingest_dbt_and_publish_recover_to_the_same_release(released, tmp_path):
    paths = unreleased_copy(released, tmp_path)
    # each run is killed at its point; the next one must get past that point (no stale lock,
    # no pool slot held by the dead run, the warehouse's half transaction rolled back)
    from dagster import DagsterInstance, DagsterRunStatus

    for point in ("ingest", "dbt", "publish"):
        # the home's files were loaded before and would be kept as loaded: --reload writes the
        # slice again, and the ingest's point is inside that write's transaction
        kill_at(paths.home, point, YEAR, log=tmp_path / f"killed-{point}.log",
                args=("--reload",) if point == "ingest" else ())
        if point == "ingest":
            # what the next run has to cope with: the dead run still STARTED, holding the pool slot
            with DagsterInstance.from_config(str(paths.dagster_home)) as instance:
                dead = instance.get_runs(limit=1)[0]
                assert dead.status == DagsterRunStatus.STARTED
                slots = instance.event_log_storage.get_concurrency_info("warehouse").claimed_slots
                assert [s.run_id for s in slots] == [dead.run_id]
    assert (paths.releases / str(YEAR) / "v1" / "manifest.json").exists(), "killed after writing the release"
    assert not paths.published.exists(), "killed before publishing it"

    code, output = run_ksm(paths.home, "run", "--year", str(YEAR), log=tmp_path / "final.log")
    assert code == 0, output
    assert "Traceback" not in output
    # each run after a killed one marked it failed and took its pool slot back
    for log in ("killed-dbt.log", "killed-publish.log", "final.log"):
        assert (tmp_path / log).read_text().count("recovered: run ") == 1, log

    # the release equals the one the uninterrupted runs of the session fixture made
    reference = manifest(released[0])
    ours = manifest(paths)
    assert ours["outputs"] == reference["outputs"] and ours["inputs"] == reference["inputs"]
    assert sorted(p.name for p in (paths.releases / str(YEAR)).iterdir()) == ["v1"], "no half-written folders"
    assert not list(paths.published_dir.glob(".monitor-*")), "no half-written published files"
    with duckdb.connect(str(paths.published), read_only=True) as con:
        assert con.execute("SELECT year, version FROM releases").fetchall() == [(YEAR, 1)]
    with duckdb.connect(str(paths.warehouse), read_only=True) as con:
        assert con.execute("SELECT count(*) FROM raw.perined WHERE year = ?", [YEAR]).fetchone()[0] == 96

    with DagsterInstance.from_config(str(paths.dagster_home)) as instance:
        statuses = [r.status for r in instance.get_runs() if r.tags.get("ksm/pid")]
        assert statuses.count(DagsterRunStatus.FAILURE) == 3 and statuses.count(DagsterRunStatus.SUCCESS) == 1
        assert not instance.event_log_storage.get_concurrency_info("warehouse").claimed_slots

    # secrets are read from the environment only: no file of the home holds them
    for file in (p for p in paths.home.rglob("*") if p.is_file()):
        data = file.read_bytes()
        for name, secret in SECRETS.items():
            assert secret.encode() not in data, f"{name} leaked into {file}"


def _force_new_version(paths: Paths) -> None:
    with duckdb.connect(str(paths.warehouse)) as con:
        con.execute("UPDATE marts.indicator_values SET compared_to_nl = 'changed' WHERE rowid = "
                    "(SELECT min(rowid) FROM marts.indicator_values WHERE year_to = ?)", [YEAR])


def _publish(paths: Paths):
    with duckdb.connect(str(paths.warehouse)) as con:
        return publish_year(con, paths, YEAR, "fault-test", {"passed": 1, "failed": 0, "warnings": 0,
                                                             "failed_checks": []})


def _snapshot(paths: Paths) -> tuple:
    return (paths.published.read_bytes(), sorted(p.name for p in (paths.releases / str(YEAR)).iterdir()),
            (paths.releases / str(YEAR) / "v1" / "manifest.json").read_bytes())


PUBLISH = "orchestration.assets.release.publish"


@pytest.mark.parametrize("fault,where", [
    ("read-only", "releases"),
    ("full", "releases"),
    ("read-only", "published"),
    ("full", "published"),
])
def test_unwritable_release_or_published_folder_keeps_the_previous_release(copy_home, monkeypatch, fault, where):
    _force_new_version(copy_home)
    before = _snapshot(copy_home)
    folder = copy_home.releases / str(YEAR) if where == "releases" else copy_home.published_dir
    inject_at = f"{PUBLISH}._write_manifest" if where == "releases" else f"{PUBLISH}._swap_published"
    guard = read_only if fault == "read-only" else full_disk
    with guard(folder, monkeypatch, inject_at) as how:
        with pytest.raises(ReleaseError) as info:
            _publish(copy_home)
        # looked at while the fault is still there (a tmpfs hides what is below it)
        published, versions, v1_manifest = _snapshot(copy_home)
        leftovers = list(copy_home.published_dir.glob(".monitor-*"))
    message = str(info.value)
    print(f"{fault} {where}: {how}: {message}")
    assert "\n" not in message and f"still holds release v1 of {YEAR}" in message
    expected = {"read-only": ("Read-only file system", "Permission denied"),
                "full": ("No space left on device",)}[fault]
    assert any(e in message for e in expected), message
    assert published == before[0] and v1_manifest == before[2] and not leftovers
    if where == "releases":
        assert versions == ["v1"], "no half-written release folder"
    else:
        # the new version was written; it gets published by the next run, as unchanged input
        assert versions == ["v1", "v2"]
    monkeypatch.undo()
    outcome = _publish(copy_home)
    assert outcome.version == 2
    with duckdb.connect(str(copy_home.published), read_only=True) as con:
        assert con.execute("SELECT max(version) FROM releases WHERE year = ?", [YEAR]).fetchone()[0] == 2
    assert not list(copy_home.published_dir.glob(".monitor-*"))
