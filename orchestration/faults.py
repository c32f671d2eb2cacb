"""Named pause points, for the fault tests only.

The fault tests kill a `ksm run` with SIGKILL at an exact stage: ingest (inside the open
transaction that replaces a year's raw slice), dbt (while `dbt build` is running) and publish
(after the release folder is written, before `published/monitor.duckdb` is swapped). With
`KSM_TEST_PAUSE_AT=<point>` set, the process writes `$KSM_HOME/paused-<point>` (holding its pid)
when it reaches that point and then sleeps, so the test knows when to kill it. Without the
variable, which is how every real run goes, `pause_point` does nothing.
"""

from __future__ import annotations

import os
import time
from pathlib import Path

PAUSE_ENV = "KSM_TEST_PAUSE_AT"
PAUSE_SECONDS = 600


def pause_marker(home: Path, point: str) -> Path:
    return home / f"paused-{point}"


def pause_point(point: str) -> None:
    if os.environ.get(PAUSE_ENV) != point:
        return
    marker = pause_marker(Path(os.environ.get("KSM_HOME", "var")), point)
    marker.write_text(str(os.getpid()))
    time.sleep(PAUSE_SECONDS)
