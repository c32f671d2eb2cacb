"""A release says whether its inputs are synthetic demo data, and the site then says so on every page."""

from __future__ import annotations

import contextlib
import json
import shutil

import duckdb

from orchestration.assets.release.publish import publish_year
from orchestration.provenance import synthetic_inputs, write_synthetic_marker
from tiny_inbox import YEAR


def _releases(paths) -> list[tuple]:
    with contextlib.closing(duckdb.connect(str(paths.published), read_only=True)) as con:
        return con.execute("SELECT year, version, synthetic FROM releases ORDER BY ALL").fetchall()


def test_real_inputs_make_a_release_that_is_not_synthetic(released):
    paths = released[0]
    assert _releases(paths) == [(YEAR, 1, False)]
    manifest = json.loads((paths.releases / str(YEAR) / "v1" / "manifest.json").read_text())
    assert manifest["synthetic"] is False


def test_marked_inputs_make_a_synthetic_release_and_a_banner_on_every_page(copy_home, tmp_path):
    from orchestration.site import build_site

    extracts = [p for p in copy_home.inbox.rglob("*") if p.is_file() and p.suffix == ".csv"]
    for extract in extracts:
        write_synthetic_marker(extract, {"command": "test"})
    # a file changed after it was marked is real again
    with contextlib.closing(duckdb.connect(str(copy_home.warehouse), read_only=True)) as con:
        inputs = {f"{s}/{y}/{f}": sha for s, y, f, sha in con.execute(
            "SELECT source, year, file_name, sha256 FROM raw.ingest_log").fetchall()}
    assert synthetic_inputs(copy_home.inbox, inputs) == sorted(inputs)
    assert synthetic_inputs(copy_home.inbox, {k: "0" * 64 for k in inputs}) == []

    shutil.rmtree(copy_home.releases / str(YEAR))  # publish the same marts again, as a first version
    with contextlib.closing(duckdb.connect(str(copy_home.warehouse))) as con:
        outcome = publish_year(con, copy_home, YEAR, "test-run", {"passed": 1, "failed": 0})
    assert outcome.created and json.loads((outcome.release_dir / "manifest.json").read_text())["synthetic"] is True
    assert _releases(copy_home) == [(YEAR, 1, True)]

    site = build_site(copy_home, YEAR, out=tmp_path / "site", downloads=False, progress=lambda _: None)
    pages = list(site.rglob("*.html"))
    assert len(pages) > 300
    assert all("demo: synthetische gegevens" in p.read_text(encoding="utf-8").lower() for p in pages)
    # and the one-file report too
    from orchestration.report import build_report

    report = build_report(copy_home, YEAR, out=tmp_path / "report.html", progress=lambda _: None)
    assert "Demo: synthetische gegevens." in report.read_text(encoding="utf-8")  # Dutch, as the site
    report = build_report(copy_home, YEAR, out=tmp_path / "report-en.html", progress=lambda _: None, lang="en")
    assert "Demo: synthetic data." in report.read_text(encoding="utf-8")


def test_a_site_of_real_data_has_no_banner(released, tmp_path):
    from orchestration.site import build_site

    site = build_site(released[0], YEAR, out=tmp_path / "site", downloads=False, progress=lambda _: None)
    assert "synthetisch" not in (site / "index.html").read_text(encoding="utf-8")
    from orchestration.report import build_report

    report = build_report(released[0], YEAR, out=tmp_path / "report.html", progress=lambda _: None)
    assert "synthetisch" not in report.read_text(encoding="utf-8")


def test_a_published_file_from_before_the_flag_gets_it_on_the_next_run(copy_home):
    """Its rows get the flag from the inbox's markers: this year's and an earlier year's alike."""
    for extract in copy_home.inbox.rglob("*.csv"):
        write_synthetic_marker(extract, {"command": "test"})
    manifest_file = copy_home.releases / str(YEAR) / "v1" / "manifest.json"
    manifest = json.loads(manifest_file.read_text())
    del manifest["synthetic"]
    manifest_file.write_text(json.dumps(manifest))
    with contextlib.closing(duckdb.connect(str(copy_home.published))) as con:
        con.execute("ALTER TABLE releases DROP COLUMN synthetic")
        con.execute("INSERT INTO releases SELECT year - 1, version, released_at, status, checks_passed, checks_failed, "
                    "input_checksums, changes, run_id, release_path FROM releases")
    with contextlib.closing(duckdb.connect(str(copy_home.warehouse))) as con:
        outcome = publish_year(con, copy_home, YEAR, "test-run", {"passed": 1, "failed": 0})
    assert not outcome.created  # same inputs and marts: no new version, only the file rebuilt
    assert _releases(copy_home) == [(YEAR - 1, 1, True), (YEAR, 1, True)]
