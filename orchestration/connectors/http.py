"""GET a JSON document with timeouts and retries (standard library only).

Retries 429 and 5xx answers and dropped connections with exponential backoff, honouring a
`Retry-After` header. Every failure that ends the attempt raises `FetchError` with one line that
names the URL, so the command line can print it without a traceback.
"""

from __future__ import annotations

import datetime as dt
import email.utils
import http.client
import json
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass

RETRY_STATUSES = {429, 500, 502, 503, 504}
USER_AGENT = "ksm-warehouse (Kansrijke Start monitor)"


class FetchError(Exception):
    """A download failed for good; the message is one line naming the URL."""


class NotFound(FetchError):
    """HTTP 404: the resource (usually the table id) does not exist."""


@dataclass(frozen=True)
class RetryPolicy:
    timeout: float = 60.0  # seconds per request (connect and each read)
    retries: int = 5  # extra attempts after the first
    backoff: float = 1.0  # first wait; doubles per attempt
    max_wait: float = 120.0  # no single wait is longer, whatever Retry-After says


def retry_after_seconds(value: str | None, now: dt.datetime | None = None) -> float | None:
    """Seconds to wait from a Retry-After header (delta-seconds or HTTP-date), or None."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=dt.timezone.utc)
    now = now or dt.datetime.now(dt.timezone.utc)
    return max(0.0, (when - now).total_seconds())


def backoff_seconds(attempt: int, policy: RetryPolicy, retry_after: float | None) -> float:
    """Wait before retry number `attempt` (0-based): Retry-After if given, else exponential."""
    wait = retry_after if retry_after is not None else policy.backoff * (2 ** attempt)
    return min(wait, policy.max_wait)


def get_json(url: str, policy: RetryPolicy = RetryPolicy(),
             say: Callable[[str], None] | None = None) -> object:
    """The decoded JSON body of GET `url`, retrying transient failures."""
    say = say or (lambda _line: None)
    attempt = 0
    while True:
        request = urllib.request.Request(url, headers={"Accept": "application/json", "User-Agent": USER_AGENT})
        problem: str
        retry_after: float | None = None
        try:
            with urllib.request.urlopen(request, timeout=policy.timeout) as response:
                body = response.read()
            return _decode(url, body)
        except urllib.error.HTTPError as exc:
            if exc.code == 404:
                raise NotFound(f"{url}: HTTP 404 not found") from None
            if exc.code not in RETRY_STATUSES:
                raise FetchError(f"{url}: HTTP {exc.code} {exc.reason}") from None
            problem = f"HTTP {exc.code} {exc.reason}"
            retry_after = retry_after_seconds(exc.headers.get("Retry-After"))
        except (OSError, http.client.HTTPException) as exc:  # refused, reset, timed out, cut short
            reason = getattr(exc, "reason", None) or exc
            problem = f"{type(exc).__name__}: {reason}"
        if attempt >= policy.retries:
            raise FetchError(f"{url}: {problem} (gave up after {attempt + 1} attempts)")
        wait = backoff_seconds(attempt, policy, retry_after)
        say(f"{problem}; retry {attempt + 1} of {policy.retries} in {wait:g}s")
        time.sleep(wait)
        attempt += 1


def _decode(url: str, body: bytes) -> object:
    try:
        return json.loads(body.decode("utf-8-sig"))
    except (UnicodeDecodeError, json.JSONDecodeError):
        start = body[:60].decode("utf-8", errors="replace").replace("\n", " ").strip()
        raise FetchError(f"{url}: the answer is not JSON (it starts with {start!r})") from None
