"""Alerts without Dagster: the alert model, the store, real sinks going down and coming back,
exactly-once delivery across restarts and concurrent deliverers, and the inbox rules."""

from __future__ import annotations

import datetime as dt
import json
import threading
import time

import pytest

from alert_servers import Mailbox, Webhook, self_signed_cert
from orchestration.alerts import deliver_pending, dispatch
from orchestration.alerts.delivery import backoff_seconds
from orchestration.alerts.inbox import (deadline_for, late_years, parse_deadline, released_with, scan_year)
from orchestration.alerts.listing import alert_table
from orchestration.alerts.model import ERROR, WARNING, check_alert, freshness_alert, run_failed_alert
from orchestration.run_outcome import severity_of
from orchestration.alerts.sinks import configured_sinks, scrub
from orchestration.alerts.store import AlertStore, store_path
from orchestration.settings import Paths
from orchestration.sources import ALL_SOURCES


def make_alert(n: int, dagster_level: str = "ERROR"):
    return check_alert(run_id=f"run-{n}", year=2020, asset="raw/perined", check="quality_suite",
                       severity=severity_of(dagster_level), description=f"expectation {n} failed",
                       results=f"quality/2020/run-{n}/perined.json", timestamp=1_700_000_000 + n)


def lines(path) -> list[dict]:
    return [json.loads(line) for line in path.read_text().splitlines()] if path.exists() else []


# ---------------------------------------------------------------- pure rules


def test_alert_fields_ids_and_severity():
    a, again = make_alert(1), make_alert(1)
    assert a == again and a.id == again.id, "the same check of the same run is the same alert everywhere"
    assert make_alert(2).id != a.id
    assert set(a.as_dict()) == {"id", "time", "severity", "year", "asset", "check", "message", "run_id"}
    assert a.severity == ERROR and make_alert(1, "WARN").severity == WARNING
    assert severity_of(None) == ERROR, "a check recorded without a severity blocks, as in Dagster"
    assert a.time == "2023-11-14T22:13:21+00:00" and a.year == 2020 and a.run_id == "run-1"
    assert "quality/2020/run-1/perined.json" in a.message
    assert a.text.startswith("[KSM ERROR] 2020 raw/perined:quality_suite (blocks the release)")
    failed = run_failed_alert(run_id="r", year=2021, job="yearly_build", reasons=["raw__perined: bad file"],
                              timestamp=0)
    assert (failed.severity, failed.asset, failed.check) == (ERROR, "yearly_build", "run_failed")
    assert "raw__perined: bad file" in failed.message


def test_errors_are_scrubbed_of_secrets():
    assert scrub("POST https://hooks/T0KEN failed, login pw-secret", ["https://hooks/T0KEN", "pw-secret", ""]) \
        == "POST *** failed, login ***"


def test_backoff_grows_and_is_capped():
    assert [backoff_seconds(n) for n in range(0, 5)] == [0, 30, 60, 120, 240]
    assert backoff_seconds(30) == 3600


def test_freshness_deadline_and_late_years():
    assert parse_deadline(None) == (10, 1) and parse_deadline("03-15") == (3, 15)
    for bad in ("15-03", "2024-03-15", "02-29", "soon"):
        with pytest.raises(ValueError, match="KSM_FRESHNESS_DEADLINE"):
            parse_deadline(bad)
    assert deadline_for(2023, (3, 15)) == dt.date(2024, 3, 15)
    partial = ["perined", "regions"]
    present = {2021: partial, 2022: list(ALL_SOURCES), 2023: partial}
    # 2023 is not due yet; 2021 is partial and late; 2022 is complete
    assert late_years([2021, 2022, 2023], present, dt.date(2023, 3, 16), (3, 15)) == [2021]
    assert late_years([2021, 2022, 2023], present, dt.date(2024, 3, 15), (3, 15)) == [2021], "due the day after"
    assert late_years([2021, 2022, 2023], present, dt.date(2024, 3, 16), (3, 15)) == [2021, 2023]
    # nothing at all for the latest due year is late too; older empty years are not news
    assert late_years([2019, 2020], {}, dt.date(2022, 1, 1), (3, 15)) == [2020]
    alert = freshness_alert(year=2021, deadline=dt.date(2022, 3, 15), missing=["vektis"])
    assert alert.severity == WARNING and alert.run_id is None and "vektis" in alert.message
    assert alert.id == freshness_alert(year=2021, deadline=dt.date(2022, 3, 15), missing=["cbs_linked"]).id


def test_inbox_scan_run_key_follows_content_and_waits_for_files_to_settle(tmp_path):
    inbox = tmp_path / "inbox"
    for source in ALL_SOURCES[:-1]:
        (inbox / source / "2020").mkdir(parents=True)
        (inbox / source / "2020" / f"{source}_2020.csv").write_text("a;b\n1;2\n")
    now = time.time() + 120
    scan = scan_year(inbox, 2020, now=now)
    assert not scan.complete and scan.missing == ("regions",)
    (inbox / "regions" / "2020").mkdir(parents=True)
    (inbox / "regions" / "2020" / "gebieden.csv").write_text("x\n")
    cache: dict = {}
    first = scan_year(inbox, 2020, cache=cache, now=now)
    assert first.complete and len(cache) == len(ALL_SOURCES)
    assert scan_year(inbox, 2020, cache=cache, now=now).run_key == first.run_key
    (inbox / "perined" / "2020" / "perined_2020.csv").write_text("a;b\n1;3\n")
    changed = scan_year(inbox, 2020, cache=cache, now=time.time() + 120)
    assert changed.run_key != first.run_key, "a changed file is a new content, so a new run"
    assert scan_year(inbox, 2020, now=time.time(), settle_seconds=60).settling, "a file just written waits"
    manifest = {"inputs": {f"{f.source}/{changed.year}/{f.name}": f.sha256 for f in changed.files}}
    assert released_with(changed, manifest) and not released_with(first, manifest)


def test_sink_configuration_from_the_environment(tmp_path):
    sinks, problems = configured_sinks(tmp_path / "alerts.jsonl", {})
    assert [s.name for s in sinks] == ["file"] and not problems
    sinks, problems = configured_sinks(tmp_path / "a.jsonl", {
        "KSM_ALERT_WEBHOOK_URL": "https://hooks.example/T0KEN", "KSM_SMTP_HOST": "mail", "KSM_SMTP_PORT": "587",
        "KSM_ALERT_EMAIL_TO": "a@x.nl, b@x.nl", "KSM_SMTP_PASSWORD": "pw-secret"})
    assert [s.name for s in sinks] == ["file", "webhook", "email"] and not problems
    assert sinks[2].recipients == ["a@x.nl", "b@x.nl"] and sinks[2].port == 587
    assert "T0KEN" not in repr(sinks) and "pw-secret" not in repr(sinks)
    sinks, problems = configured_sinks(tmp_path / "a.jsonl", {"KSM_SMTP_HOST": "mail", "KSM_ALERT_WEBHOOK_URL": "x"})
    assert [s.name for s in sinks] == ["file"] and len(problems) == 2
    assert all("x" != p and "KSM_" in p for p in problems)


# ---------------------------------------------------------------- real sinks


@pytest.fixture
def webhook():
    server = Webhook().start()
    yield server
    server.stop()


def test_a_webhook_that_is_down_gets_every_alert_once_after_a_restart(tmp_path, webhook):
    paths = Paths(tmp_path)
    env = {"KSM_ALERT_WEBHOOK_URL": webhook.url}
    webhook.stop()  # down: the port is closed
    report = dispatch(paths, [make_alert(1), make_alert(2, "WARN")], env=env)
    assert len(report.recorded) == 2 and report.delivered["file"] == 2
    assert "webhook" in report.failed and "T0KEN" not in report.failed["webhook"]
    assert [a["id"] for a in lines(paths.alerts)] == [make_alert(1).id, make_alert(2, "WARN").id]
    store = AlertStore(store_path(tmp_path))
    [(first, deliveries)] = [e for e in store.recent() if e[0].run_id == "run-1"]
    assert deliveries["webhook"].state == "pending" and deliveries["webhook"].attempts == 1
    assert deliveries["webhook"].next_attempt > time.time() + 20, "retried after a backoff, not at once"

    # the process ends; later, a new one (the daemon's next tick) with the webhook back but sick
    webhook.start()
    webhook.status = 503
    store = AlertStore(store_path(tmp_path))
    sinks, _ = configured_sinks(paths.alerts, env)
    assert not deliver_pending(store, sinks).delivered, "not due yet: the backoff holds"
    later = time.time() + 31
    report = deliver_pending(store, sinks, clock=lambda: later)
    assert report.failed["webhook"] == "webhook answered HTTP 503 Service Unavailable"
    assert store.attempts(first.id, "webhook") == 2

    webhook.status = 200
    report = deliver_pending(AlertStore(store_path(tmp_path)), sinks, clock=lambda: later + 61)
    assert report.delivered["webhook"] == 2 and not report.failed
    assert [b["run_id"] for b in webhook.bodies] == ["run-1", "run-2"], "oldest first"
    body = webhook.bodies[0]
    assert body["text"].startswith("[KSM ERROR] 2020 raw/perined:quality_suite")
    assert {k: body[k] for k in ("severity", "year", "asset", "check")} == {
        "severity": "error", "year": 2020, "asset": "raw/perined", "check": "quality_suite"}

    # everything again (a restart, the same alerts seen by another process): nothing new anywhere
    report = dispatch(paths, [make_alert(1), make_alert(2, "WARN")], env=env)
    deliver_pending(AlertStore(store_path(tmp_path)), sinks, clock=lambda: later + 10_000)
    assert not report.recorded and len(webhook.bodies) == 2 and len(lines(paths.alerts)) == 2
    columns, rows, notes = alert_table(AlertStore(store_path(tmp_path)).recent())
    assert columns[4:6] == ["file", "webhook"] and all(r[4:6] == ("delivered", "delivered") for r in rows)
    assert b"T0KEN" not in store_path(tmp_path).read_bytes()


def test_concurrent_deliverers_send_each_alert_once(tmp_path, webhook):
    """`ksm run` and the daemon's sensor delivering at the same moment."""
    paths = Paths(tmp_path)
    env = {"KSM_ALERT_WEBHOOK_URL": webhook.url}
    alerts = [make_alert(n) for n in range(12)]
    dispatch(paths, [], env=env)  # creates the store
    threads = [threading.Thread(target=dispatch, args=(paths, alerts), kwargs={"env": env}) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(b["run_id"] for b in webhook.bodies) == sorted(a.run_id for a in alerts)
    assert len(lines(paths.alerts)) == 12


def test_mail_over_starttls_with_login_keeps_the_password_out_of_everything(tmp_path, monkeypatch):
    cert = self_signed_cert(tmp_path)
    monkeypatch.setenv("SSL_CERT_FILE", str(cert[0]))  # trust the test server's certificate
    mailbox = Mailbox(tls_cert=cert, login=("ksm", "pw-secret")).start()
    paths = Paths(tmp_path / "home")
    env = {"KSM_SMTP_HOST": "127.0.0.1", "KSM_SMTP_PORT": str(mailbox.port), "KSM_ALERT_EMAIL_TO": "staff@example.nl",
           "KSM_SMTP_USER": "ksm", "KSM_SMTP_PASSWORD": "pw-secret", "KSM_SMTP_STARTTLS": "yes"}
    try:
        report = dispatch(paths, [make_alert(1)], env=env)
        assert report.delivered["email"] == 1, report.failed
        [mail] = mailbox.messages
        assert mail["Subject"] == "[KSM ERROR] 2020 raw/perined:quality_suite"
        assert mail["To"] == "staff@example.nl" and mailbox.logins == ["ksm"]
        assert "expectation 1 failed" in mail.get_payload() and "run_id: run-1" in mail.get_payload()

        # no STARTTLS offered (another server) and a password: refused, not sent in clear
        plain = Mailbox(login=("ksm", "pw-secret")).start()
        try:
            report = dispatch(paths, [make_alert(2)], env=dict(env, KSM_SMTP_PORT=str(plain.port),
                                                                KSM_SMTP_STARTTLS="auto"))
        finally:
            plain.stop()
        assert "not sending the password in clear" in report.failed["email"] and not plain.logins
    finally:
        mailbox.stop()
    for path in (store_path(paths.home), paths.alerts):
        assert b"secret" not in path.read_bytes()


def test_mail_server_down_then_back(tmp_path):
    mailbox = Mailbox()
    paths = Paths(tmp_path)
    env = {"KSM_SMTP_HOST": "127.0.0.1", "KSM_SMTP_PORT": str(mailbox.port), "KSM_ALERT_EMAIL_TO": "staff@example.nl"}
    report = dispatch(paths, [make_alert(1)], env=env)
    assert "refused" in report.failed["email"].lower()
    mailbox.start()
    try:
        sinks, _ = configured_sinks(paths.alerts, env)
        later = time.time() + 31
        assert deliver_pending(AlertStore(store_path(tmp_path)), sinks, clock=lambda: later).delivered["email"] == 1
        assert not deliver_pending(AlertStore(store_path(tmp_path)), sinks, clock=lambda: later + 9999).delivered
        assert len(mailbox.messages) == 1
    finally:
        mailbox.stop()
