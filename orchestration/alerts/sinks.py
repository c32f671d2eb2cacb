"""Where alerts go: `alerts.jsonl` (always), a webhook and e-mail (when configured).

Configuration comes from the environment only, so the secrets in it (the webhook URL, which is
a credential for Slack and Teams, and the SMTP password) are never written anywhere: the store
names sinks 'file', 'webhook' and 'email', and every error text is scrubbed of them.

    KSM_ALERT_WEBHOOK_URL    POST JSON {"text": ..., <alert fields>}
    KSM_SMTP_HOST            mail server; with KSM_ALERT_EMAIL_TO (comma-separated) enables e-mail
    KSM_SMTP_PORT            default 25
    KSM_SMTP_USER / KSM_SMTP_PASSWORD   optional login (only over STARTTLS unless KSM_SMTP_STARTTLS=no)
    KSM_SMTP_STARTTLS        auto (default: when the server offers it) | yes (required) | no
    KSM_ALERT_EMAIL_FROM     default ksm-alerts@<local host name>
"""

from __future__ import annotations

import json
import os
import smtplib
import socket
import ssl
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from email.message import EmailMessage
from pathlib import Path
from typing import Mapping

from .model import Alert

TIMEOUT_SECONDS = 10.0
FILE, WEBHOOK, EMAIL = "file", "webhook", "email"
SINK_ORDER = (FILE, WEBHOOK, EMAIL)


class SinkError(Exception):
    """A delivery failed; the message is safe to store and show (no secrets)."""


def scrub(text: str, secrets: list[str]) -> str:
    for secret in secrets:
        if secret:
            text = text.replace(secret, "***")
    return text


@dataclass
class FileSink:
    """One JSON object a line. Appending is idempotent: an id already in the file is not written
    again, so a process that died between writing and recording the delivery adds no duplicate."""

    path: Path
    name: str = FILE
    _written: set[str] | None = field(default=None, init=False, repr=False)  # ids in the file, read once

    def send(self, alert: Alert) -> None:
        try:
            if self._written is None:
                self._written = self._ids()
            if alert.id in self._written:
                return
            self.path.parent.mkdir(parents=True, exist_ok=True)
            with self.path.open("a", encoding="utf-8") as handle:
                handle.write(json.dumps(alert.as_dict(), ensure_ascii=False) + "\n")
                handle.flush()
                os.fsync(handle.fileno())
            self._written.add(alert.id)
        except OSError as exc:
            raise SinkError(f"cannot write {self.path}: {exc.strerror or exc}") from exc

    def _ids(self) -> set[str]:
        if not self.path.exists():
            return set()
        ids = set()
        with self.path.open(encoding="utf-8") as handle:
            for line in handle:
                try:
                    ids.add(json.loads(line).get("id"))
                except ValueError:
                    continue  # a line someone edited by hand is not ours to judge
        return ids


def webhook_body(alert: Alert) -> dict:
    """Slack and Teams show `text`; the alert's fields ride along for other receivers."""
    return {"text": alert.text, **alert.as_dict()}


@dataclass
class WebhookSink:
    url: str = field(repr=False)
    name: str = WEBHOOK

    def send(self, alert: Alert) -> None:
        data = json.dumps(webhook_body(alert)).encode("utf-8")
        request = urllib.request.Request(self.url, data=data, method="POST",
                                         headers={"Content-Type": "application/json"})
        try:
            with urllib.request.urlopen(request, timeout=TIMEOUT_SECONDS) as response:
                response.read()
        except urllib.error.HTTPError as exc:
            raise SinkError(f"webhook answered HTTP {exc.code} {exc.reason}") from None
        except (urllib.error.URLError, OSError, ValueError) as exc:
            reason = getattr(exc, "reason", exc)
            raise SinkError(scrub(f"webhook unreachable: {reason}", [self.url])) from None


def email_message(alert: Alert, sender: str, recipients: list[str]) -> EmailMessage:
    message = EmailMessage()
    message["Subject"] = alert.title
    message["From"] = sender
    message["To"] = ", ".join(recipients)
    lines = [alert.text, ""] + [f"{k}: {v}" for k, v in alert.as_dict().items()]
    message.set_content("\n".join(lines) + "\n")
    return message


@dataclass
class EmailSink:
    host: str
    port: int
    recipients: list[str]
    sender: str
    user: str | None = None
    password: str | None = field(default=None, repr=False)
    starttls: str = "auto"
    name: str = EMAIL

    def send(self, alert: Alert) -> None:
        try:
            with smtplib.SMTP(self.host, self.port, timeout=TIMEOUT_SECONDS) as smtp:
                smtp.ehlo()
                tls = False
                if self.starttls != "no" and smtp.has_extn("starttls"):
                    smtp.starttls(context=ssl.create_default_context())
                    smtp.ehlo()
                    tls = True
                elif self.starttls == "yes":
                    raise SinkError(f"mail server {self.host}:{self.port} offers no STARTTLS "
                                    "(KSM_SMTP_STARTTLS=yes)")
                if self.user:
                    if not tls and self.starttls != "no":
                        raise SinkError(f"mail server {self.host}:{self.port} offers no STARTTLS: not sending the "
                                        "password in clear (set KSM_SMTP_STARTTLS=no to allow it)")
                    smtp.login(self.user, self.password or "")
                smtp.send_message(email_message(alert, self.sender, self.recipients))
        except SinkError:
            raise
        except (smtplib.SMTPException, OSError, ssl.SSLError) as exc:
            text = f"mail to {self.host}:{self.port} failed: {type(exc).__name__}: {exc}"
            raise SinkError(scrub(text, [self.password or ""])) from None


def configured_sinks(alerts_file: Path, env: Mapping[str, str] | None = None) -> tuple[list, list[str]]:
    """The sinks the environment asks for (file first) and one line per sink set up wrongly;
    a broken webhook or mail setup never stops the alerts file."""
    env = os.environ if env is None else env
    sinks: list = [FileSink(Path(alerts_file))]
    problems: list[str] = []
    url = env.get("KSM_ALERT_WEBHOOK_URL", "").strip()
    if url:
        if url.lower().startswith(("http://", "https://")):
            sinks.append(WebhookSink(url))
        else:
            problems.append("KSM_ALERT_WEBHOOK_URL must start with http:// or https://; webhook alerts are off")
    host = env.get("KSM_SMTP_HOST", "").strip()
    recipients = [a.strip() for a in env.get("KSM_ALERT_EMAIL_TO", "").split(",") if a.strip()]
    port_text = env.get("KSM_SMTP_PORT", "25").strip() or "25"
    starttls = env.get("KSM_SMTP_STARTTLS", "auto").strip().lower() or "auto"
    if host or recipients:
        if not (host and recipients):
            problems.append("e-mail alerts need both KSM_SMTP_HOST and KSM_ALERT_EMAIL_TO; e-mail alerts are off")
        elif not port_text.isdigit():
            problems.append(f"KSM_SMTP_PORT must be a port number, not {port_text!r}; e-mail alerts are off")
        elif starttls not in ("auto", "yes", "no"):
            problems.append(f"KSM_SMTP_STARTTLS must be auto, yes or no, not {starttls!r}; e-mail alerts are off")
        else:
            sinks.append(EmailSink(
                host=host, port=int(port_text), recipients=recipients,
                sender=env.get("KSM_ALERT_EMAIL_FROM", "").strip() or f"ksm-alerts@{socket.gethostname()}",
                user=env.get("KSM_SMTP_USER", "").strip() or None, password=env.get("KSM_SMTP_PASSWORD") or None,
                starttls=starttls,
            ))
    return sinks, problems
