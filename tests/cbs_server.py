"""A StatLine look-alike on 127.0.0.1 serving the JSON fixtures of tests/fixtures/cbs/.

It behaves like the real services where the connector depends on it: v3's plain API answers at
most 10,000 rows without a next link, v3's bulk feed and v4's Observations page with (absolute)
next links, `$filter` on `Dimension eq 'code'` terms joined by `and`, 404 for an unknown table.
Failures are scripted per server: `fail_first` answers the first requests with these statuses
(429 with `Retry-After`), `fail_always` answers every request whose URL contains a text with a
status, `filler_rows` pads a v3 TypedDataSet beyond the plain API's cap.
"""

from __future__ import annotations

import json
import re
import threading
import time
import urllib.parse
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

FIXTURES = Path(__file__).parent / "fixtures" / "cbs"
V3_CAP = 10_000


@dataclass
class Script:
    fail_first: list[int] = field(default_factory=list)
    retry_after: str = "1"
    fail_always: dict[str, int] = field(default_factory=dict)
    page_size: int = 100  # rows per page of the feeds that page
    filler_rows: int = 0
    stall_first: float = 0.0  # seconds the first answer waits before it is sent
    requests: list[str] = field(default_factory=list)


def _matches(record: dict, odata_filter: str | None) -> bool:
    if not odata_filter:
        return True
    for term in odata_filter.split(" and "):
        match = re.fullmatch(r"\s*(\w+) eq '([^']*)'\s*", term)
        if not match:
            raise ValueError(f"filter term not understood: {term!r}")
        if str(record.get(match.group(1), "")).strip() != match.group(2):
            return False
    return True


class Handler(BaseHTTPRequestHandler):
    server_version = "StatLineFixture/1.0"

    def log_message(self, *args):  # keep test output clean
        pass

    def _send(self, status: int, body: bytes, content_type="application/json", headers=None):
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        for k, v in (headers or {}).items():
            self.send_header(k, v)
        self.end_headers()
        self.wfile.write(body)

    def _json(self, payload, status=200):
        self._send(status, json.dumps(payload).encode("utf-8"))

    def do_GET(self):
        script: Script = self.server.script
        script.requests.append(self.path)
        if script.stall_first and len(script.requests) == 1:
            time.sleep(script.stall_first)
        if script.fail_first:
            status = script.fail_first.pop(0)
            headers = {"Retry-After": script.retry_after} if status == 429 else {}
            return self._send(status, b'{"error":"try again"}', headers=headers)
        for text, status in script.fail_always.items():
            if text in self.path:
                return self._send(status, b"<html>Internal error</html>", "text/html")
        url = urllib.parse.urlsplit(self.path)
        query = dict(urllib.parse.parse_qsl(url.query))
        parts = [p for p in url.path.split("/") if p]
        if len(parts) == 4 and parts[0] in ("ODataApi", "ODataFeed") and parts[1] == "odata":
            version, table, entity = "v3", parts[2], parts[3]
        elif len(parts) == 3:
            version, table, entity = "v4", parts[1], parts[2]
        else:
            return self._json({"error": "no such resource"}, 404)
        path = FIXTURES / version / table / f"{entity}.json"
        if not path.is_file():
            return self._json({"odata.error": {"message": {"value": f"{table}/{entity} not found"}}}, 404)
        if entity not in ("TypedDataSet", "Observations"):
            return self._send(200, path.read_bytes())
        rows = json.loads(path.read_text(encoding="utf-8"))["value"]
        rows = [r for r in rows if _matches(r, query.get("$filter"))]
        if version == "v3" and script.filler_rows and rows:
            # more of the same period, at an age the connector leaves out
            rows = rows + [{**rows[0], "ID": 100_000 + i, "Leeftijd": "99999"} for i in range(script.filler_rows)]
        if parts[0] == "ODataApi":
            return self._json({"odata.metadata": "fixture", "value": rows[:V3_CAP]})
        skip = int(query.get("$skip", "0"))
        page = rows[skip: skip + script.page_size]
        payload = {"value": page}
        if skip + script.page_size < len(rows):
            nxt = dict(query, **{"$skip": str(skip + script.page_size)})
            link = f"http://127.0.0.1:{self.server.server_port}{url.path}?" + urllib.parse.urlencode(nxt, safe="$'")
            payload["odata.nextLink" if version == "v3" else "@odata.nextLink"] = link
        return self._json(payload)


class FixtureServer:
    """`with FixtureServer(Script(...)) as server:` ... `server.base_url`."""

    def __init__(self, script: Script | None = None):
        self.script = script or Script()

    def __enter__(self) -> "FixtureServer":
        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.script = self.script
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self.thread.start()
        self.base_url = f"http://127.0.0.1:{self.httpd.server_port}"
        return self

    def __exit__(self, *exc) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()
        self.thread.join()
