"""Peak memory of a process tree, sampled from /proc (Linux; no extra packages needed).

The sampler sums the resident set size of a process and all its descendants (dbt runs as a
child of `ksm`, DuckDB inside either) every `interval` seconds, and keeps (time, bytes) pairs so
that the peak of any time window (one stage of a run) can be read afterwards.
"""

from __future__ import annotations

import os
import resource
import subprocess
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

PAGE = os.sysconf("SC_PAGE_SIZE")


def _children_map() -> dict[int, list[int]]:
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue  # the process ended while we looked
        # the command name is in parentheses and may contain spaces: ppid follows the last ')'
        ppid = int(stat.rsplit(")", 1)[1].split()[1])
        children.setdefault(ppid, []).append(int(entry.name))
    return children


def tree_rss(root: int) -> int:
    """Resident bytes of `root` and every descendant (0 when it has ended)."""
    children = _children_map()
    total, stack = 0, [root]
    while stack:
        pid = stack.pop()
        try:
            total += int(Path(f"/proc/{pid}/statm").read_text().split()[1]) * PAGE
        except (OSError, IndexError, ValueError):
            pass
        stack.extend(children.get(pid, ()))
    return total


@dataclass
class Sampled:
    """What one command cost: wall seconds, CPU seconds (user + system of the command and every
    child it waited for: on a shared machine far steadier than wall time), exit code, RSS
    samples as (unix time, bytes)."""

    returncode: int
    wall: float
    started: float
    cpu: float = 0.0
    samples: list[tuple[float, int]] = field(default_factory=list)

    @property
    def peak(self) -> int:
        return max((b for _, b in self.samples), default=0)

    def peak_between(self, start: float, end: float) -> int:
        inside = [b for t, b in self.samples if start <= t <= end]
        if inside:
            return max(inside)
        # a window shorter than the sampling interval: the nearest sample before it
        before = [b for t, b in self.samples if t <= start]
        return before[-1] if before else 0


def run_sampled(cmd: list[str], env: dict, log: Path, interval: float = 0.25) -> Sampled:
    """Run `cmd` (stdout and stderr to `log`), sampling the RSS of its process tree."""
    samples: list[tuple[float, int]] = []
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    with log.open("w") as sink:
        started = time.time()
        t0 = time.monotonic()
        proc = subprocess.Popen(cmd, env=env, stdout=sink, stderr=subprocess.STDOUT)
        done = threading.Event()

        def sample() -> None:
            while not done.is_set():
                samples.append((time.time(), tree_rss(proc.pid)))
                done.wait(interval)

        thread = threading.Thread(target=sample, daemon=True)
        thread.start()
        returncode = proc.wait()
        wall = time.monotonic() - t0
        done.set()
        thread.join()
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return Sampled(returncode, wall, started, cpu, samples)
