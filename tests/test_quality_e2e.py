"""The quality gates inside Dagster runs: checks run before what they guard, a failed blocking
check stops the year with a clear message, leaves everything published as it was and alerts
once everywhere, and a fixed extract releases again. The blocked-year story runs here once."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import duckdb
import pytest

from orchestration.cli import main
from tiny_inbox import YEAR

pytestmark = pytest.mark.e2e

SOURCES = ["cbs_linked", "perined", "population", "questionnaire", "vektis", "youth_protection"]
MART = "marts/indicator_values"


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def evaluations(result) -> dict[str, object]:
    return {f"{e.asset_key.to_user_string()}:{e.check_name}": e for e in result.get_asset_check_evaluations()}


def test_every_quality_check_ran_and_only_warnings_failed(released):
    paths, results, _ = released
    found = evaluations(results[0])
    expected = {f"raw/{s}:{c}" for s in SOURCES for c in ("quality_suite", "quality_suite_warnings")}
    expected |= {f"{MART}:{c}" for c in ("quality_suite", "quality_suite_warnings", "reconcile_national_counts",
                                         "reconcile_births_placed_once")}
    expected |= {f"marts/{m}:{c}" for m in ("indicators", "regions", "region_mergers")
                 for c in ("quality_suite", "quality_suite_warnings")}
    expected |= {f"raw/{s}:{c}" for s in ("cbs_linked", "vektis") for c in ("linkage", "linkage_warnings")}
    assert expected <= set(found)
    failed = {name for name in expected if not found[name].passed}
    # the tiny year has 21% records without a gemeente, three gemeenten of population, and
    # national values far from the real ones: warnings, none of them blocking
    assert failed == {"raw/perined:quality_suite_warnings", "raw/population:quality_suite_warnings",
                      f"{MART}:quality_suite_warnings"}
    assert all(found[name].severity.value == "WARN" for name in failed)
    for name in expected:
        results_file = Path(found[name].metadata["results"].value)
        assert results_file.parent == paths.home / "quality" / str(YEAR) / results[0].run_id
        assert results_file.exists()
    perined = json.loads((paths.home / "quality" / str(YEAR) / results[0].run_id / "perined.json").read_text())
    assert perined["ksm"]["failed"][0]["expectation"] == "expect_column_values_to_be_in_set(gemeente_code_status)"
    assert perined["ksm"]["validated_in"] == "step", "a run without `ksm run`'s worker validates in its step"
    assert found["raw/perined:quality_suite"].metadata["expectations_failed"].value == 0


def test_the_release_manifest_keeps_warnings_apart_from_failures(released):
    paths, _, _ = released
    manifest = json.loads((paths.releases / str(YEAR) / "v1" / "manifest.json").read_text())
    assert manifest["checks"]["failed"] == 0 and manifest["checks"]["warnings"] == 3
    assert all(c["severity"] == "warning" and c["results"] for c in manifest["checks"]["failed_checks"])


def test_blocking_checks_are_upstream_of_what_they_guard():
    from dagster._core.execution.api import create_execution_plan

    from orchestration.definitions import JOB_NAME, defs

    plan = create_execution_plan(defs().resolve_job_def(JOB_NAME), tags={"dagster/partition": str(YEAR)})
    upstream = {step.key: {h.step_key for i in step.step_inputs for h in i.get_step_output_handle_dependencies()}
                for step in plan.get_all_steps_in_topo_order()}
    assert "source_quality_checks" in upstream["dbt_models"]
    assert "linkage_checks" in upstream["dbt_models"]
    assert "mart_quality_checks" in upstream["release__published_year"]
    assert "reference_quality_checks" in upstream["release__published_year"]
    assert "dbt_models" in upstream["mart_quality_checks"]


def test_checks_ran_before_dbt_and_before_the_release(released):
    from dagster import DagsterEventType

    _, results, instance = released
    order = []
    for record in instance.get_records_for_run(results[0].run_id, of_type={
            DagsterEventType.STEP_START, DagsterEventType.STEP_SUCCESS}).records:
        event = record.event_log_entry.dagster_event
        order.append((event.event_type_value, event.step_key))
    position = {item: i for i, item in enumerate(order)}
    assert position[("STEP_SUCCESS", "source_quality_checks")] < position[("STEP_START", "dbt_models")]
    assert position[("STEP_SUCCESS", "mart_quality_checks")] < position[("STEP_START", "release__published_year")]


def _corrupt_gemeente_codes(extract: Path) -> bytes:
    """Amsterdam's records ('363') get a code that is no gemeente: with GM9999 already in the
    delivery, more than half the records have no gemeente. The ingest accepts every row (an
    unknown code is kept for Nederland); the perined suite blocks."""
    original = extract.read_bytes()
    lines = original.decode("utf-8").splitlines()
    fixed = [lines[0]]
    for line in lines[1:]:
        fields = line.split(";")
        if fields[3] == "363":
            fields[3] = "9998"
        fixed.append(";".join(fields))
    extract.write_text("\n".join(fixed) + "\n", encoding="utf-8")
    return original


def test_a_blocked_year_stops_at_its_check_alerts_once_everywhere_and_the_fixed_one_releases(
        copy_home, monkeypatch, capsys):
    """The blocked-year story once: a failed blocking check stops the year with a clear message,
    dbt never runs, nothing published changes, one error alert reaches the file, a real webhook and
    a real SMTP server (and the daemon's sensor sends nothing twice); the fixed extract releases."""
    from dagster import DagsterEventType, DagsterInstance

    from alert_servers import Mailbox, Webhook
    from orchestration.sensors import alert_sensor
    from test_alerts_e2e import alert_lines, tick

    webhook, mailbox = Webhook().start(), Mailbox().start()
    monkeypatch.setenv("KSM_ALERT_WEBHOOK_URL", webhook.url)
    monkeypatch.setenv("KSM_SMTP_HOST", "127.0.0.1")
    monkeypatch.setenv("KSM_SMTP_PORT", str(mailbox.port))
    monkeypatch.setenv("KSM_ALERT_EMAIL_TO", "programme@example.nl")
    try:
        tick(alert_sensor, copy_home)  # the daemon has dealt with the earlier (green) runs already
        before = (len(alert_lines(copy_home)), len(webhook.bodies), len(mailbox.messages))
        assert before[0] >= 6 and len(set(before)) == 1

        published = sha256(copy_home.published)
        extract = copy_home.inbox / "perined" / str(YEAR) / f"perined_{YEAR}.csv"
        original = _corrupt_gemeente_codes(extract)
        corrupted = extract.read_bytes()
        code = main(["run", "--year", str(YEAR)])
        out = capsys.readouterr().out

        # the run's own words
        assert code == 1
        assert "BLOCKED" in out and "FAILED check raw/perined:quality_suite:" in out
        assert "expect_column_values_to_be_in_set(gemeente_code_status)" in out
        assert "alerts: 1 error" in out and "delivered to email" in out
        results_file = Path(next(line.split("results:", 1)[1].strip() for line in out.splitlines()
                                 if "results:" in line and "perined.json" in line))
        assert results_file.exists() and results_file.is_relative_to(copy_home.home / "quality" / str(YEAR))
        found = json.loads(results_file.read_text())["ksm"]
        assert found["validated_in"] == "worker", "ksm run validates in its warm checks process"
        failed = found["failed"]
        assert [f["expectation"] for f in failed if f["severity"] == "error"] == [
            "expect_column_values_to_be_in_set(gemeente_code_status)"]

        # nothing published changed, the inbox file neither, and dbt never ran on the blocked data
        assert sha256(copy_home.published) == published, "a blocked year leaves the published file as it was"
        assert sorted(p.name for p in (copy_home.releases / str(YEAR)).iterdir()) == ["v1"]
        assert extract.read_bytes() == corrupted, "the inbox file is never changed"
        run = DagsterInstance.get().get_runs(limit=1)[0]
        built = {r.event_log_entry.dagster_event.asset_key.to_user_string() for r in DagsterInstance.get()
                 .get_records_for_run(run.run_id, of_type=DagsterEventType.ASSET_MATERIALIZATION).records}
        assert "raw/perined" in built and MART not in built and "release/published_year" not in built

        # one error alert, in the file, at the webhook and by mail
        errors = [a for a in alert_lines(copy_home) if a["severity"] == "error"]
        assert len(errors) == 1
        [error] = errors
        assert (error["year"], error["asset"], error["check"]) == (YEAR, "raw/perined", "quality_suite")
        assert "gemeente_code_status" in error["message"] and error["run_id"] == run.run_id
        posted = [b for b in webhook.bodies if b["severity"] == "error"]
        mailed = [m for m in mailbox.messages if m["Subject"].startswith("[KSM ERROR]")]
        assert [b["id"] for b in posted] == [error["id"]] and posted[0]["text"].startswith("[KSM ERROR] 2020 raw/perined")
        assert len(mailed) == 1 and mailed[0]["Subject"] == f"[KSM ERROR] {YEAR} raw/perined:quality_suite"
        # the warnings of the same run went everywhere too, and did not block anything themselves
        warnings = [a for a in alert_lines(copy_home) if a["severity"] == "warning" and a["run_id"] == error["run_id"]]
        assert warnings and len(webhook.bodies) == len(mailbox.messages) == before[1] + 1 + len(warnings)

        # the daemon's sensor sees the same run afterwards: nothing is sent twice
        sent = (len(alert_lines(copy_home)), len(webhook.bodies), len(mailbox.messages))
        tick(alert_sensor, copy_home)
        assert (len(alert_lines(copy_home)), len(webhook.bodies), len(mailbox.messages)) == sent

        assert main(["alerts", "--limit", "50"]) == 0
        listing = capsys.readouterr().out
        row = next(line for line in listing.splitlines() if "raw/perined:quality_suite " in line)
        assert row.split()[2:4] == ["error", str(YEAR)] and row.count("delivered") == 3
        assert "T0KEN" not in listing and "T0KEN" not in copy_home.alerts.read_text()
    finally:
        webhook.stop()
        mailbox.stop()

    # the fixed extract: equal to the release, so no new version
    extract.write_bytes(original)
    code = main(["run", "--year", str(YEAR)])
    out = capsys.readouterr().out
    assert code == 0, out
    assert "unchanged" in out and "FAILED" not in out
    assert sha256(copy_home.published) == published
    assert sorted(p.name for p in (copy_home.releases / str(YEAR)).iterdir()) == ["v1"]


def _release_files(paths, year: int) -> dict[str, str]:
    folder = paths.releases / str(year)
    return {str(p.relative_to(folder)): sha256(p) for p in sorted(folder.rglob("*")) if p.is_file()}


def test_a_blocked_year_does_not_stop_the_other_years(copy_home, capsys):
    """`ksm run --all` with a corrupted 2020 and a clean 2021: 2021 is released, 2020 is blocked
    and its v1 stays as it was, in the release folder and in the published file."""
    from tiny_inbox import write_tiny_inbox

    other = YEAR + 1
    write_tiny_inbox(copy_home.inbox, year=other)
    extract = copy_home.inbox / "perined" / str(YEAR) / f"perined_{YEAR}.csv"
    _corrupt_gemeente_codes(extract)
    release_before = _release_files(copy_home, YEAR)

    def published_rows(year):
        with duckdb.connect(str(copy_home.published), read_only=True) as con:
            return con.execute("SELECT * FROM indicator_values WHERE year_to = ? ORDER BY ALL", [year]).fetchall()

    rows_before = published_rows(YEAR)

    code = main(["run", "--all"])
    out = capsys.readouterr().out

    assert code == 1
    status = {line.split()[0]: line.split()[1] for line in out.splitlines()
              if line.split()[:1] in ([str(YEAR)], [str(other)])}
    assert status == {str(YEAR): "BLOCKED", str(other): "released"}, out
    assert f"not released: {YEAR}" in out
    assert _release_files(copy_home, YEAR) == release_before, "the blocked year's release is byte-for-byte unchanged"
    assert published_rows(YEAR) == rows_before
    assert published_rows(other), "the clean year reached the published file"
    with duckdb.connect(str(copy_home.published), read_only=True) as con:
        assert con.execute("SELECT year, version FROM releases ORDER BY year").fetchall() == [(YEAR, 1), (other, 1)]


def test_a_failed_mart_check_blocks_the_release(copy_home):
    """Marts that do not add up (a region without big2, a national count off by one) stop the
    release; run here without dbt, on a warehouse whose marts were altered after the build."""
    from dagster import AssetCheckKey, AssetKey, AssetSelection, DagsterInstance, materialize

    from orchestration.definitions import all_assets
    from orchestration.resources import build_resources

    with duckdb.connect(str(copy_home.warehouse)) as con:
        con.execute("DELETE FROM marts.indicator_values WHERE year_to = ? AND indicator_code = 'big2' "
                    "AND region_code = 'GM0363' AND breakdown = 'total'", [YEAR])
        con.execute("UPDATE marts.indicator_values SET numerator = numerator + 1 WHERE year_to = ? "
                    "AND indicator_code = 'preterm' AND region_code = 'NL01' AND breakdown = 'total'", [YEAR])
    published = sha256(copy_home.published)
    mart = AssetKey(["marts", "indicator_values"])
    selection = AssetSelection.checks(*(AssetCheckKey(mart, name) for name in (
        "quality_suite", "quality_suite_warnings", "reconcile_national_counts", "reconcile_births_placed_once"
    ))) | AssetSelection.assets(AssetKey(["release", "published_year"]))

    result = materialize(all_assets(), selection=selection, partition_key=str(YEAR), raise_on_error=False,
                         resources=build_resources(copy_home), instance=DagsterInstance.get())

    assert not result.success
    found = evaluations(result)
    assert not found[f"{MART}:quality_suite"].passed
    assert "indicators_with_total_in_region" in found[f"{MART}:quality_suite"].description
    assert not found[f"{MART}:reconcile_national_counts"].passed
    assert "preterm" in found[f"{MART}:reconcile_national_counts"].description
    assert found[f"{MART}:reconcile_births_placed_once"].passed
    assert not result.get_asset_materialization_events(), "the release did not run"
    assert sha256(copy_home.published) == published


def test_reconciliation_finds_a_birth_lost_or_doubled_between_raw_and_int_births(copy_home):
    from orchestration.assets.quality.reconcile import births_placed_once

    with duckdb.connect(str(copy_home.warehouse)) as con:
        assert births_placed_once(con, YEAR).passed
        lost, doubled = [r[0] for r in con.execute(
            "SELECT child_id FROM intermediate.int_births WHERE year = ? AND gemeente_code_target = 'GM0363' "
            "ORDER BY child_id LIMIT 2", [YEAR]).fetchall()]
        con.execute("DELETE FROM intermediate.int_births WHERE child_id = ?", [lost])
        con.execute("INSERT INTO intermediate.int_births SELECT * FROM intermediate.int_births WHERE child_id = ?",
                    [doubled])
        found = births_placed_once(con, YEAR)
    assert not found.passed
    assert "1 raw births missing from int_births" in found.summary
    assert "1 births placed more than once" in found.summary
    assert sorted(found.examples) == sorted([[lost, "not in int_births"], [doubled, "placed 2 times"]])


def test_a_linked_source_that_matches_too_few_births_blocks_the_year(copy_home, capsys):
    """30% of the vektis rows renamed to ids that are no birth: every row is valid, so the suite
    passes, but the linkage check blocks the year; the run says both shares."""
    published = sha256(copy_home.published)
    extract = copy_home.inbox / "vektis" / str(YEAR) / f"vektis_{YEAR}.csv"
    lines = extract.read_text(encoding="utf-8").splitlines()
    cut = len(lines) - (len(lines) - 1) * 3 // 10
    extract.write_text("\n".join(lines[:cut] + [line.replace("K", "ORPHAN", 1) for line in lines[cut:]]) + "\n",
                       encoding="utf-8")

    code = main(["run", "--year", str(YEAR)])
    out = capsys.readouterr().out
    assert code == 1, out
    assert "FAILED check raw/vektis:linkage:" in out and "rows match no birth, above 10%" in out
    assert any("linkage vektis" in line and "births matched" in line for line in out.splitlines())
    assert "raw/cbs_linked:linkage" not in out
    assert sha256(copy_home.published) == published
