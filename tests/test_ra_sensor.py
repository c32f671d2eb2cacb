"""The inbox sensor in the RA layout: a year needs only its inbox sources (regions, population,
questionnaire; the record-level ones come from the RA tables), nothing is reported late for the
missing extracts, a changed RA file asks for the year again, and a year released from the same
files is not built again when the daemon first looks."""

from __future__ import annotations

import os
import subprocess

import pytest

from demo.ra_layout import write_ra_layout_with_config
from demo.generator import write_demo_extracts
from orchestration.ra.records import DERIVED_SOURCES, inbox_sources, ra_inputs
from orchestration.settings import venv_program
from orchestration.sources import ALL_SOURCES

YEAR = 2022
pytestmark = pytest.mark.e2e  # builds the definitions and a Dagster instance


def test_a_year_of_the_ra_layout_is_complete_without_the_record_level_extracts(ksm_home, monkeypatch):
    from orchestration.sensors import inbox_sensor
    from test_alerts_e2e import tick

    monkeypatch.setenv("KSM_INBOX_SETTLE_SECONDS", "0")
    assert inbox_sources(ksm_home) == ALL_SOURCES  # no ra_layout.toml: the extract layout
    write_demo_extracts(ksm_home.inbox, [YEAR], scale=0.002,
                        sources=[s for s in ALL_SOURCES if s not in DERIVED_SOURCES])
    write_ra_layout_with_config(ksm_home.home, years=[YEAR], scale=0.002, seed=42)
    assert inbox_sources(ksm_home) == [s for s in ALL_SOURCES if s not in DERIVED_SOURCES]

    inputs = ra_inputs(ksm_home, [YEAR])[YEAR]
    assert "ra/gbalevendgeborenen/GBALEVENDGEBORENENMASSA2022TABV1.sav" in inputs and len(inputs) == 23
    result, cursor = tick(inbox_sensor, ksm_home)
    assert [r.partition_key for r in result.run_requests] == [str(YEAR)]

    # nothing changed: no new request; a newer version of an RA file: the year again
    result, cursor = tick(inbox_sensor, ksm_home, cursor)
    assert not result.run_requests
    path = next(ksm_home.home.glob("ra/G/Bevolking/KINDOUDERTAB/*.sav"))
    os.utime(path, ns=(path.stat().st_atime_ns, path.stat().st_mtime_ns + 10**9))
    result, _ = tick(inbox_sensor, ksm_home, cursor)
    assert [r.partition_key for r in result.run_requests] == [str(YEAR)]

    # the daemon turned on over a home whose year is released from these files: no rebuild
    # (at national size a year of the RA layout takes minutes)
    done = subprocess.run([str(venv_program("ksm")), "run", "--year", str(YEAR)], capture_output=True, text=True)
    assert done.returncode == 0 and "released" in done.stdout, done.stdout + done.stderr
    result, _ = tick(inbox_sensor, ksm_home)
    assert not result.run_requests
