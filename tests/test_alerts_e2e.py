"""Alerts and inbox automation on real Dagster runs of the tiny year: the sensors called with
Dagster's sensor testing API on the persistent instance, and the run the inbox sensor asks for
executed. A blocked year's alerts at a real webhook and a real SMTP server are tested with the
blocked run itself, in test_quality_e2e."""

from __future__ import annotations

import datetime as dt
import json
import shutil

import pytest

from tiny_inbox import YEAR

pytestmark = pytest.mark.e2e


def alert_lines(paths) -> list[dict]:
    return [json.loads(line) for line in paths.alerts.read_text().splitlines()] if paths.alerts.exists() else []


def tick(sensor, paths, cursor=None):
    """One sensor evaluation, as the daemon would do it, on the instance of `paths`."""
    from dagster import DagsterInstance, build_sensor_context

    from orchestration.resources import KsmPaths

    context = build_sensor_context(instance=DagsterInstance.get(), cursor=cursor,
                                   resources={"ksm": KsmPaths(home=str(paths.home))})
    result = sensor(context)
    return result, getattr(result, "cursor", None) or context.cursor


def test_failed_warnings_of_green_runs_become_warning_alerts_once(released, copy_home):
    from orchestration.sensors import alert_sensor

    _, results, _ = released
    assert all(r.success for r in results)
    expected = {(r.run_id, f"{e.asset_key.to_user_string()}:{e.check_name}")
                for r in results for e in r.get_asset_check_evaluations() if not e.passed}
    assert len(expected) >= 6  # three failed warnings in each of the two runs

    _, cursor = tick(alert_sensor, copy_home)
    found = alert_lines(copy_home)
    assert {(a["run_id"], f"{a['asset']}:{a['check']}") for a in found} == expected
    assert len(found) == len(expected), "one alert per check per run"
    assert {a["severity"] for a in found} == {"warning"} and {a["year"] for a in found} == {YEAR}
    perined = next(a for a in found if a["asset"] == "raw/perined")
    assert "results:" in perined["message"] and perined["check"] == "quality_suite_warnings"

    tick(alert_sensor, copy_home, cursor)  # next tick: nothing new
    tick(alert_sensor, copy_home)  # a lost cursor: still nothing new
    assert len(alert_lines(copy_home)) == len(expected)


def test_a_changed_extract_starts_a_run_that_releases_it_and_the_same_content_never_twice(copy_home, monkeypatch):
    from dagster import DagsterInstance

    from orchestration.definitions import build_definitions
    from orchestration.sensors import inbox_sensor

    monkeypatch.setenv("KSM_INBOX_SETTLE_SECONDS", "0")
    result, cursor = tick(inbox_sensor, copy_home)
    assert not result.run_requests, "2020 is released from exactly these files already"

    # the extract delivered again, exported on another system: same rows, LF instead of CRLF
    extract = copy_home.inbox / "perined" / str(YEAR) / f"perined_{YEAR}.csv"
    original = extract.read_bytes()
    extract.write_bytes(original.replace(b"\r\n", b"\n"))
    assert extract.read_bytes() != original
    result, cursor = tick(inbox_sensor, copy_home, cursor)
    [request] = result.run_requests
    assert request.partition_key == str(YEAR) and request.run_key.startswith(f"inbox-{YEAR}-")
    assert request.tags["ksm/started_by"] == "inbox_sensor"

    job = build_definitions(copy_home).resolve_job_def("yearly_build")
    run = job.execute_in_process(partition_key=request.partition_key, tags=request.tags,
                                 instance=DagsterInstance.get(), raise_on_error=False)
    assert run.success
    assert sorted(p.name for p in (copy_home.releases / str(YEAR)).iterdir()) == ["v1", "v2"]
    manifest = json.loads((copy_home.releases / str(YEAR) / "v2" / "manifest.json").read_text())
    assert manifest["changes"]["inputs_changed"] == [f"perined/{YEAR}/perined_{YEAR}.csv"]

    result, _ = tick(inbox_sensor, copy_home, cursor)
    assert not result.run_requests, "the same content gives no second run"
    result, _ = tick(inbox_sensor, copy_home)
    assert not result.run_requests, "nor after losing the sensor's cursor: released from these files"


def test_a_year_incomplete_after_the_deadline_raises_one_freshness_warning(ksm_home, monkeypatch):
    from orchestration.sensors import inbox_sensor
    from tiny_inbox import write_tiny_inbox

    write_tiny_inbox(ksm_home.inbox)
    shutil.rmtree(ksm_home.inbox / "vektis" / str(YEAR))
    monkeypatch.setenv("KSM_FRESHNESS_DEADLINE", "03-01")
    monkeypatch.setenv("KSM_INBOX_SETTLE_SECONDS", "0")
    result, cursor = tick(inbox_sensor, ksm_home)
    assert not result.run_requests
    late = {a["year"]: a for a in alert_lines(ksm_home)}
    assert YEAR in late and late[YEAR]["severity"] == "warning" and late[YEAR]["check"] == "freshness"
    assert "missing vektis" in late[YEAR]["message"] and f"{YEAR + 1}-03-01" in late[YEAR]["message"]
    # every year up to last year is due: the latest one past its deadline with nothing delivered
    # is late too, whatever year that is (no list of years in the code)
    today = dt.date.today()
    latest_due = today.year - 1 if today > dt.date(today.year, 3, 1) else today.year - 2
    assert set(late) == {YEAR, latest_due}, "besides the partial year only the latest year due is late"
    tick(inbox_sensor, ksm_home, cursor)
    assert len(alert_lines(ksm_home)) == len(late), "one warning per year and deadline, not one per tick"


def test_a_run_failing_on_a_rejected_extract_gives_one_run_failed_alert(copy_home):
    from dagster import AssetKey, AssetSelection, DagsterInstance, materialize

    from orchestration.alerts.collect import alerts_for_run
    from orchestration.definitions import all_assets
    from orchestration.resources import build_resources

    extract = copy_home.inbox / "perined" / str(YEAR) / f"perined_{YEAR}.csv"
    extract.write_bytes(b"kind_id;moeder_id\x00\x00\n")
    instance = DagsterInstance.get()
    result = materialize(all_assets(), selection=AssetSelection.assets(AssetKey(["raw", "perined"])),
                         partition_key=str(YEAR), resources=build_resources(copy_home), instance=instance,
                         raise_on_error=False)
    assert not result.success
    [alert] = alerts_for_run(instance, result.run_id)
    assert (alert.severity, alert.year, alert.check, alert.run_id) == ("error", YEAR, "run_failed", result.run_id)
    assert alert.message.startswith("run failed: raw__perined: perined 2020 rejected:")
    assert "binary content" in alert.message
