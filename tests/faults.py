"""Helpers for the fault and concurrency tests: `ksm` as a real subprocess, killed at a named
point, and file systems that are full or read-only for real where this machine allows it."""

from __future__ import annotations

import contextlib
import errno
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from orchestration.faults import PAUSE_ENV, pause_marker

KSM = str(Path(sys.executable).parent / "ksm")
SECRETS = {
    "KSM_ALERT_WEBHOOK_URL": "http://127.0.0.1:9/hooks/webhook-secret-7f3a9c",
    "KSM_SMTP_PASSWORD": "smtp-secret-2b8e41",
}


def process_alive(pid: int) -> bool:
    """Whether process `pid` still runs (a zombie, ended but not yet reaped, does not)."""
    try:
        return "\nState:\tZ" not in Path(f"/proc/{pid}/status").read_text()
    except FileNotFoundError:
        return False


def home_env(home: Path, **extra: str) -> dict:
    env = dict(os.environ)
    env.update(KSM_HOME=str(home), KSM_WAREHOUSE=str(home / "warehouse.duckdb"),
               DAGSTER_HOME=str(home / "dagster"), **SECRETS, **extra)
    env.pop(PAUSE_ENV, None)
    env.update(extra)
    return env


def start_ksm(home: Path, *args: str, log: Path, **extra: str) -> subprocess.Popen:
    """`ksm ...` in its own process group (so SIGKILL reaches dbt, its child, too)."""
    handle = log.open("w")
    return subprocess.Popen([KSM, *args], env=home_env(home, **extra), stdout=handle, stderr=subprocess.STDOUT,
                            start_new_session=True)


def run_ksm(home: Path, *args: str, log: Path, timeout: float = 900) -> tuple[int, str]:
    proc = start_ksm(home, *args, log=log)
    try:
        code = proc.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        raise AssertionError(f"ksm {' '.join(args)} did not finish in {timeout}s:\n{log.read_text()}") from None
    return code, log.read_text()


def kill_at(home: Path, point: str, year: int, log: Path, timeout: float = 900, args: tuple[str, ...] = ()) -> None:
    """Start `ksm run --year` (and `args`) with a pause at `point`; SIGKILL its process group once
    it is there."""
    marker = pause_marker(home, point)
    marker.unlink(missing_ok=True)
    proc = start_ksm(home, "run", "--year", str(year), *args, log=log, **{PAUSE_ENV: point})
    deadline = time.monotonic() + timeout
    try:
        while not marker.exists():
            if proc.poll() is not None:
                raise AssertionError(f"ksm ended ({proc.returncode}) before reaching {point}:\n{log.read_text()}")
            if time.monotonic() > deadline:
                raise AssertionError(f"ksm did not reach {point} in {timeout}s:\n{log.read_text()}")
            time.sleep(0.2)
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()
    marker.unlink()


def _mount(*args: str) -> bool:
    if os.geteuid() != 0 or shutil.which("mount") is None:
        return False
    return subprocess.run(["mount", *args], capture_output=True).returncode == 0


@contextlib.contextmanager
def read_only(folder: Path, monkeypatch, inject_at: str):
    """`folder` read-only: chmod for a normal user, a read-only bind mount for root (who ignores
    modes); where neither works, PermissionError injected at `inject_at` (module.function)."""
    if os.geteuid() != 0:
        mode = folder.stat().st_mode
        folder.chmod(0o555)
        try:
            yield "chmod 555"
        finally:
            folder.chmod(mode)
        return
    if _mount("--bind", str(folder), str(folder)):
        try:
            if _mount("-o", "remount,bind,ro", str(folder)):
                yield "read-only bind mount"
                return
        finally:
            subprocess.run(["umount", str(folder)], check=True)
    yield _inject(monkeypatch, inject_at, errno.EACCES)


@contextlib.contextmanager
def full_disk(folder: Path, monkeypatch, inject_at: str, headroom: int = 16 * 1024):
    """`folder` on a tmpfs just bigger than what it holds now, so that the next large write fails
    with ENOSPC; where mounting is not allowed, OSError(ENOSPC) injected at `inject_at`."""
    used = sum(p.stat().st_size for p in folder.rglob("*") if p.is_file())
    saved = Path(tempfile.mkdtemp(prefix="ksm-full-disk-")) / "saved"
    shutil.copytree(folder, saved)
    if _mount("-t", "tmpfs", "-o", f"size={used + headroom}", "tmpfs", str(folder)):
        try:
            shutil.copytree(saved, folder, dirs_exist_ok=True)
            yield f"tmpfs of {used + headroom} bytes"
        finally:
            subprocess.run(["umount", str(folder)], check=True)
            shutil.rmtree(saved.parent)
        return
    shutil.rmtree(saved.parent)
    yield _inject(monkeypatch, inject_at, errno.ENOSPC)


def _inject(monkeypatch, target: str, code: int) -> str:
    module, name = target.rsplit(".", 1)

    def fail(*args, **kwargs):
        raise OSError(code, os.strerror(code), "(injected)")

    monkeypatch.setattr(f"{module}.{name}", fail)
    return f"injected OSError({errno.errorcode[code]}) at {target}"


def write_second_year(inbox: Path, year: int, *, recode: dict | None = None, gemeenten=None) -> None:
    """The tiny delivery of tiny_inbox.YEAR again as `year` (same births; Haaren, gone by 2021,
    replaced by Vught), so that two years can run side by side. `recode` maps other codes as
    written to their successors; `gemeenten` (default: the bundled classification of `year`) are
    the gemeenten the questionnaire asks."""
    recode = recode or {"0788": "GM0865", "GM0788": "GM0865"}
    import csv

    from demo.reference import classification
    from tiny_inbox import YEAR

    def rewrite(source: str, change) -> None:
        src = inbox / source / str(YEAR) / f"{source}_{YEAR}.csv"
        encoding = "cp1252" if source == "questionnaire" else "utf-8"
        with src.open(encoding=encoding, newline="") as handle:
            rows = list(csv.reader(handle, delimiter=";"))
        target = inbox / source / str(year) / f"{source}_{year}.csv"
        target.parent.mkdir(parents=True, exist_ok=True)
        with target.open("w", encoding=encoding, newline="") as handle:
            csv.writer(handle, delimiter=";").writerows([rows[0]] + [change(dict(zip(rows[0], r))) for r in rows[1:]])

    def moved(row: dict, year_column: str | None) -> list:
        if year_column:
            row[year_column] = str(year)
        for column in ("gemeente_code", "RegioS"):
            if column in row and row[column].strip() in recode:
                row[column] = recode[row[column].strip()]
        if "gemeente_code_actueel" in row:
            row["gemeente_code_actueel"] = ""
        if "Perioden" in row:
            row["Perioden"] = f"{year}JJ00"
        return list(row.values())

    rewrite("perined", lambda r: moved(r, "geboortejaar"))
    for source in ("cbs_linked", "vektis", "youth_protection"):
        rewrite(source, lambda r: moved(r, "jaar"))
    rewrite("population", lambda r: moved(r, None))
    gemeenten = classification(year) if gemeenten is None else gemeenten
    target = inbox / "questionnaire" / str(year) / f"questionnaire_{year}.csv"
    target.parent.mkdir(parents=True, exist_ok=True)
    with target.open("w", encoding="cp1252", newline="") as handle:
        writer = csv.writer(handle, delimiter=";")
        writer.writerow(["jaar", "gemeente_code", "gemeentenaam", "coalitie", "actieplan", "prenataal_huisbezoek",
                         "nu_niet_zwanger"])
        writer.writerows([year, g.code, g.name, "ja" if i % 3 == 0 else "nee", "nee", "ja", ""]
                         for i, g in enumerate(gemeenten))
