"""The benchmark (bench/): a smoke run end to end, and its parts that are logic of their own."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))

import procmem  # noqa: E402
import run as bench  # noqa: E402


def test_stage_of_step_keys():
    assert bench.stage_of("raw__perined") == "ingest"
    assert bench.stage_of("raw__regions") == "ingest"
    assert bench.stage_of("dbt_models") == "dbt"
    assert bench.stage_of("source_quality_checks") == "checks"
    assert bench.stage_of("mart_quality_checks") == "checks"
    assert bench.stage_of("release") == "release"
    assert bench.stage_of("something_new") == "other"


def test_peak_rss_of_a_process_tree_counts_the_children(tmp_path):
    # a child python holding ~200 MB: the parent shell alone would be a few MB
    script = "import time; b = bytearray(200 * 1024 * 1024); b[::4096] = b'x' * len(b[::4096]); time.sleep(1.5)"
    sampled = procmem.run_sampled(["sh", "-c", f"{sys.executable} -c \"{script}\"; true"], {}, tmp_path / "log",
                                  interval=0.1)
    assert sampled.returncode == 0
    assert sampled.peak > 200 * 1024 * 1024
    assert sampled.peak_between(sampled.started, sampled.started + sampled.wall) == sampled.peak


def test_change_one_value_replaces_the_file_and_changes_one_field(tmp_path):
    folder = tmp_path / "inbox" / "perined" / "2024"
    folder.mkdir(parents=True)
    template = folder / "perined_2024.csv"
    template.write_bytes("\ufeffkind_id;leeftijd_moeder\nK1;34\nK2;25\n".encode("utf-8"))
    linked = tmp_path / "template.csv"
    linked.hardlink_to(template)
    change = bench.change_one_value(tmp_path / "inbox", 2024)
    assert "34 -> 33" in change
    assert template.read_bytes() == "\ufeffkind_id;leeftijd_moeder\nK1;33\nK2;25\n".encode("utf-8")
    assert linked.read_text(encoding="utf-8-sig").splitlines()[1] == "K1;34"  # the template is untouched


@pytest.mark.e2e
def test_benchmark_smoke_run(tmp_path):
    """One tiny year through `ksm run --all`, the floor from dbt's compiled SQL (its
    indicator_values must equal the warehouse's, or the benchmark fails), the limit (its counts
    must equal the warehouse's), analyst queries."""
    done = subprocess.run(
        [sys.executable, str(ROOT / "bench" / "run.py"), "--scale", "0.01", "--years", "2024", "--repeat", "1",
         "--no-rebuild", "--workdir", str(tmp_path / "bench")],
        capture_output=True, text=True, timeout=1800,
    )
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    lines = done.stdout.strip().splitlines()
    assert re.fullmatch(r"ratio_full_build_over_floor=\d+\.\d\d", lines[-1])
    assert any("indicator_values equal to the warehouse's" in line for line in lines)
    assert any(line.startswith("  limit: counts equal to the warehouse's") for line in lines)
    assert re.search(r"^  full/limit +\d+\.\d\d", done.stdout, re.MULTILINE)
    assert re.search(r"^  floor/limit +\d+\.\d\d", done.stdout, re.MULTILINE)
    for stage in ("ingest", "dbt", "checks", "release"):
        assert re.search(rf"^  {stage} +\d+\.\ds", done.stdout, re.MULTILINE), stage
    script = (tmp_path / "bench" / "floor" / "floor.sql").read_text()
    assert "-- ===== 2024" in script and 'INSERT INTO "warehouse"."marts"."indicator_values" BY NAME' in script


def test_checks_benchmark_on_a_released_home(released):
    """bench/checks.py on the tiny released year: every suite both ways, the same verdicts."""
    import os

    from tiny_inbox import YEAR

    paths = released[0]
    env = {**os.environ, "KSM_HOME": str(paths.home), "KSM_WAREHOUSE": str(paths.warehouse)}
    done = subprocess.run([sys.executable, str(ROOT / "bench" / "checks.py"), "--year", str(YEAR), "--repeat", "1"],
                          capture_output=True, text=True, env=env, timeout=600)
    assert done.returncode == 0, done.stdout + done.stderr
    rows = [line for line in done.stdout.splitlines() if re.match(r"^(perined|indicator_values|regions) ", line)]
    assert len(rows) == 3 and all(line.endswith("yes") for line in rows), done.stdout
    assert re.search(r"^all suites\s+\d+\.\d+\s+\d+\.\d+", done.stdout, re.M), done.stdout


def test_events_benchmark_on_a_released_home(released):
    """bench/events.py replays the tiny year's run both ways: every event stored each way."""
    import os

    paths = released[0]
    env = {**os.environ, "KSM_HOME": str(paths.home), "KSM_WAREHOUSE": str(paths.warehouse),
           "DAGSTER_HOME": str(paths.dagster_home)}
    done = subprocess.run([sys.executable, str(ROOT / "bench" / "events.py"), "--repeat", "1"],
                          capture_output=True, text=True, env=env, timeout=600)
    assert done.returncode == 0, done.stdout + done.stderr
    assert re.search(r"^run \S+ \(\d{4}\), \d+ events", done.stdout, re.M), done.stdout
    assert re.search(r"^held connections\s+\d+\.\d+\s+\d+\.\d+", done.stdout, re.M), done.stdout
