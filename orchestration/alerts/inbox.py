"""What the inbox holds per year: which sources are there, their checksums, and whether a year
is complete, late, or already released with exactly this content.

Pure functions on paths and dates; the inbox sensor (`orchestration/sensors.py`) calls them.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import re
from dataclasses import dataclass
from pathlib import Path

from orchestration.assets.ingest.extract_files import extract_files, file_sha256
from orchestration.escaping import named
from orchestration.sources import ALL_SOURCES, REGIONS_SOURCE, YEARLY_SOURCES

DEFAULT_FRESHNESS_DEADLINE = "10-01"  # MM-DD of the year after the extract year
DEFAULT_SETTLE_SECONDS = 60.0  # a file changed less than this long ago may still be copied in


@dataclass(frozen=True)
class ExtractFile:
    source: str
    name: str
    sha256: str


@dataclass(frozen=True)
class YearInbox:
    year: int
    files: tuple[ExtractFile, ...]
    missing: tuple[str, ...]  # sources without a file for the year
    settling: tuple[str, ...]  # files changed too recently to trust (still being copied?)

    @property
    def complete(self) -> bool:
        return not self.missing

    @property
    def digest(self) -> str:
        """One checksum over every file of the year: the same content gives the same digest."""
        lines = sorted(f"{f.source}/{f.name}:{f.sha256}" for f in self.files)
        return hashlib.sha256("\n".join(lines).encode("utf-8")).hexdigest()

    @property
    def run_key(self) -> str:
        return f"inbox-{self.year}-{self.digest[:32]}"


def delivered_years(inbox: Path, sources=None) -> list[int]:
    """Years with at least one extract file of `sources` (default: every yearly source, not the
    regions reference) in `inbox/<source>/<year>/`."""
    sources = list(YEARLY_SOURCES) if sources is None else sources
    found = set()
    for source in sources:
        folder = inbox / source
        if folder.is_dir():
            found.update(int(p.name) for p in folder.iterdir()
                         if p.is_dir() and len(p.name) == 4 and p.name.isdigit() and extract_files(p))
    return sorted(found)


def monitor_years(inbox: Path, first: int) -> list[int]:
    """The monitor's years: from the first year on, every year with a yearly extract in the inbox.
    (A year with only a regions classification has had nothing delivered yet.)"""
    return [y for y in delivered_years(inbox) if y >= first]


def classification_years(inbox: Path) -> list[int]:
    """Years with a CBS 'Gebieden in Nederland' classification in inbox/regions/<year>/."""
    return delivered_years(inbox, [REGIONS_SOURCE])


def scan_year(inbox: Path, year: int, *, cache: dict | None = None, now: float,
              settle_seconds: float = DEFAULT_SETTLE_SECONDS, sources=None) -> YearInbox:
    """The year's files and checksums. `cache` maps 'source/year/name' to [size, mtime_ns, sha256]
    and is updated, so an unchanged file is not read again on every sensor tick."""
    cache = {} if cache is None else cache
    files, missing, settling = [], [], []
    for source in ALL_SOURCES if sources is None else sources:
        found = extract_files(inbox / source / str(year))
        if not found:
            missing.append(source)
        for path in found:
            stat = path.stat()
            if now - stat.st_mtime < settle_seconds:
                settling.append(f"{source}/{year}/{named(path.name)}")  # shown in the sensor log
                continue
            key = f"{source}/{year}/{path.name}"
            cached = cache.get(key)
            if cached and cached[0] == stat.st_size and cached[1] == stat.st_mtime_ns:
                sha = cached[2]
            else:
                sha = file_sha256(path)
                cache[key] = [stat.st_size, stat.st_mtime_ns, sha]
            files.append(ExtractFile(source, path.name, sha))
    return YearInbox(year, tuple(files), tuple(missing), tuple(settling))


def released_with(inbox: YearInbox, manifest: dict | None) -> bool:
    """True when the year's latest release was built from exactly these yearly extracts (its
    manifest lists every input as 'source/year/file name': sha256). The regions files are left
    out: they are reference data shared by every year, so a new classification year in the inbox
    does not by itself rebuild the years already released."""
    yearly = [f for f in inbox.files if f.source in YEARLY_SOURCES]
    if not manifest or not yearly:
        return False
    inputs = manifest.get("inputs", {})
    return all(inputs.get(f"{f.source}/{inbox.year}/{f.name}") == f.sha256 for f in yearly)


def parse_deadline(text: str | None) -> tuple[int, int]:
    """'MM-DD' (the default when empty) -> (month, day); a clear error otherwise."""
    text = (text or "").strip() or DEFAULT_FRESHNESS_DEADLINE
    match = re.fullmatch(r"(\d{1,2})-(\d{1,2})", text)
    if not match:
        raise ValueError(f"KSM_FRESHNESS_DEADLINE must be MM-DD (e.g. {DEFAULT_FRESHNESS_DEADLINE}), not {text!r}")
    month, day = int(match.group(1)), int(match.group(2))
    try:
        dt.date(2001, month, day)  # not a leap year: 02-29 would be missing most years
    except ValueError:
        raise ValueError(f"KSM_FRESHNESS_DEADLINE {text!r} is not a date of every year") from None
    return month, day


def deadline_for(year: int, month_day: tuple[int, int]) -> dt.date:
    """The extracts of `year` are due by this date of the year after."""
    return dt.date(year + 1, *month_day)


def late_years(years: list[int], present: dict[int, list[str]], today: dt.date,
               month_day: tuple[int, int], expected: int = len(ALL_SOURCES)) -> list[int]:
    """Years past their deadline whose extracts are incomplete: those with some sources delivered,
    and the latest year past its deadline even when nothing arrived. (An old year nobody ever
    delivered is not news every day.)"""
    due = [y for y in years if today > deadline_for(y, month_day)]
    late = [y for y in due if 0 < len(present.get(y, [])) < expected]
    if due and not present.get(due[-1]) and due[-1] not in late:
        late.append(due[-1])
    return sorted(late)


def settle_seconds_from_env(env=None) -> float:
    env = os.environ if env is None else env
    text = env.get("KSM_INBOX_SETTLE_SECONDS", "").strip()
    try:
        return float(text) if text else DEFAULT_SETTLE_SECONDS
    except ValueError:
        raise ValueError(f"KSM_INBOX_SETTLE_SECONDS must be a number of seconds, not {text!r}") from None
