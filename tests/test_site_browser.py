"""The site checked as a person would, in headless Chromium: the overview, a gemeente profile and
an indicator page render (not blank, Dutch), the profile has one spine marker per indicator and
the gemeente outlined on a map of every gemeente, the search follows a merged code; with the real
2024 boundaries beside the repository (../shared/reference/, for tests only) all 342 shapes render.

Needs Debian's `chromium` (`make test` installs it when it can); otherwise these tests skip.
"""

from __future__ import annotations

import contextlib
from pathlib import Path

import duckdb
import pytest

from orchestration.settings import PROJECT_ROOT
from pngdecode import decode_png, non_white_share
from test_analyst import write_geojson
from test_browser import chromium, needs_chromium
from test_site import Page
from tiny_inbox import YEAR

pytestmark = [pytest.mark.e2e, needs_chromium]

REAL_BOUNDARIES = PROJECT_ROOT.parent / "shared" / "reference" / "gemeenten_2024.geojson"


def _codes(paths) -> list[str]:
    with contextlib.closing(duckdb.connect(str(paths.published), read_only=True)) as con:
        return [r[0] for r in con.execute("SELECT region_code FROM regions WHERE classification_year = 2024 "
                                          "AND region_level = 'gemeente' ORDER BY 1").fetchall()]


@pytest.fixture(scope="module")
def site(released, tmp_path_factory):
    """The Dutch site of the tiny year, once for the module, on a grid of the 342 gemeenten."""
    from orchestration.site import build_site

    folder = tmp_path_factory.mktemp("browser-site")
    codes = _codes(released[0])
    out = build_site(released[0], YEAR, out=folder / "site", boundaries=write_geojson(folder / "grid.geojson", codes),
                     downloads=False, progress=lambda _: None)
    indicators = sorted(p.stem for p in (out / "indicator").glob("*.html"))
    return out, codes, indicators


def dom(tmp_path: Path, url: str) -> Page:
    result = chromium(tmp_path, "--virtual-time-budget=3000", "--dump-dom", url)
    assert result.returncode == 0, result.stderr.decode(errors="replace")[-500:]
    page = Page()
    page.feed(result.stdout.decode("utf-8"))
    return page


def screenshot(tmp_path: Path, page: Path, name: str) -> tuple:
    shot = tmp_path / f"{name}.png"
    # half scale (Chromium's smallest) keeps the pure-Python PNG decoding quick
    result = chromium(tmp_path, "--window-size=1280,1600", "--force-device-scale-factor=0.5",
                      f"--screenshot={shot}", page.as_uri())
    assert shot.exists(), result.stderr.decode(errors="replace")[-500:]
    return decode_png(shot.read_bytes())


def colour_count(decoded: tuple, rgb: tuple[int, int, int]) -> int:
    _, _, channels, rows = decoded
    return sum(1 for row in rows for x in range(0, len(row), channels)
               if all(abs(a - b) < 40 for a, b in zip(rgb, row[x:x + 3])))


@pytest.mark.parametrize("name", ["index", "gemeente/GM0363", "indicator/big2"])
def test_pages_render_and_are_not_blank(site, tmp_path, name):
    decoded = screenshot(tmp_path, site[0] / f"{name}.html", name.replace("/", "-"))
    assert decoded[:2] == (640, 800)
    assert non_white_share(decoded) > 0.03, f"{name}: the screenshot is (nearly) blank"
    assert colour_count(decoded, (0x08, 0x51, 0x9C)) > 100  # the header rule (and the outlined area)
    assert colour_count(decoded, (0xFF, 0xC0, 0x00)) > 10   # 'gelijk' (similar) in the rug, spine or map


def test_profile_in_the_browser_has_a_marker_per_indicator_and_the_gemeente_outlined(site, tmp_path):
    out, codes, indicators = site
    page = dom(tmp_path, (out / "gemeente" / "GM0363.html").as_uri())
    text = " ".join(page.text)
    assert page.lang == "nl" and "Vergeleken met Nederland" in text and "Recente trend" in text
    assert len(page.markers) == len(indicators)
    assert sorted(page.rows) == indicators
    assert sorted(p["data-gemeente"] for p in page.paths) == codes
    assert [p["data-gemeente"] for p in page.paths if p.get("data-selected")] == ["GM0363"]


def test_indicator_page_in_the_browser_has_one_shape_per_gemeente(site, tmp_path):
    out, codes, _ = site
    page = dom(tmp_path, (out / "indicator" / "big2.html").as_uri())
    assert sorted(p["data-gemeente"] for p in page.paths) == codes
    assert "Uitsplitsingen, Nederland 2020" in " ".join(page.text)


def test_search_in_the_browser_follows_a_merged_code(site, tmp_path):
    out = site[0]
    page = dom(tmp_path, (out / "index.html").as_uri() + "?q=GM0457")
    note = " ".join(page.text)
    assert "GM0457 Weesp bestaat niet meer" in note and "Amsterdam (GM0363)" in note
    page = dom(tmp_path, (out / "index.html").as_uri() + "?q=363")
    assert "Amsterdam (GM0363): profiel 2020" in " ".join(page.text)


@pytest.mark.skipif(not REAL_BOUNDARIES.exists(), reason="no real 2024 gemeente boundaries beside the repository")
def test_the_real_2024_boundaries_render_all_342_gemeenten(released, tmp_path):
    from orchestration.site import build_site

    out = build_site(released[0], YEAR, out=tmp_path / "site", boundaries=REAL_BOUNDARIES, downloads=False,
                     progress=lambda _: None)
    codes = _codes(released[0])
    page = dom(tmp_path, (out / "gemeente" / "GM0363.html").as_uri())
    assert len(page.paths) == 342 and sorted(p["data-gemeente"] for p in page.paths) == codes
    assert [p["data-gemeente"] for p in page.paths if p.get("data-selected")] == ["GM0363"]
    decoded = screenshot(tmp_path, out / "indicator" / "big2.html", "real-map")
    assert non_white_share(decoded) > 0.05
