"""`ksm site`: the static site of a release (overview, indicator pages, area profiles), in Dutch
by default. Self-contained: inline CSS, SVG and script, no external URL; it opens offline."""

from __future__ import annotations

import os
import shutil
import uuid
from pathlib import Path

from orchestration.report import MAP_HEIGHT, MAP_WIDTH, map_shapes
from orchestration.report.data import ReportError
from orchestration.report.geo import BoundaryError
from orchestration.report.i18n import LANGUAGES
from orchestration.settings import Paths
from orchestration.site.data import load_site_data
from orchestration.site.downloads import write_downloads
from orchestration.site.pages import Maps, Site

__all__ = ["BoundaryError", "ReportError", "build_site", "default_site_dir"]


def default_site_dir(paths: Paths, year: int, lang: str = "nl") -> Path:
    """site/<year>/ (Dutch) or site/<year>-en/: each language is its own folder, replaced whole."""
    return paths.home / "site" / (str(year) if lang == "nl" else f"{year}-{lang}")


def build_site(paths: Paths, year: int, lang: str = "nl", out: Path | None = None, boundaries: Path | None = None,
               downloads: bool = True, progress=print) -> Path:
    """Write every page (and with downloads, per indicator and area a Dutch CSV and an Excel
    file) into a hidden folder beside `out` and swap it into place, so that a reader never sees
    half a site. Returns the folder."""
    if lang not in LANGUAGES:
        raise ReportError(f"--lang {lang!r}: the site speaks {' or '.join(sorted(LANGUAGES))}")
    target = (out or default_site_dir(paths, year, lang)).resolve()
    if target.exists() and (not target.is_dir() or (any(target.iterdir()) and not (target / "index.html").exists())):
        raise ReportError(f"{target} exists and is not a site written by `ksm site`; choose another --out")
    data = load_site_data(paths.published, year, LANGUAGES[lang])
    progress(f"site {year} v{data.version} ({lang}): {len(data.indicators)} indicators, "
             f"classification {data.classification_year}" + (", synthetic demo data" if data.synthetic else ""))
    names = {a.code: a.name for a in data.of_level("gemeente")}
    shapes, size = map_shapes(paths, data.classification_year, names, boundaries, MAP_WIDTH, MAP_HEIGHT, progress)
    site = Site(data, Maps(shapes, size), with_downloads=downloads)
    target.parent.mkdir(parents=True, exist_ok=True)
    staging = target.with_name(f".{target.name}.tmp-{uuid.uuid4().hex[:8]}")
    try:
        pages = [("index.html", site.overview), ("gebieden.html", site.areas_page)]
        pages += [(f"indicator/{i.code}.html", lambda i=i: site.indicator_page(i)) for i in data.indicators]
        pages += [(f"ggd/{a.code}.html", lambda a=a: site.profile_page(a)) for a in site.ggds]
        pages += [(f"gemeente/{a.code}.html", lambda a=a: site.profile_page(a)) for a in site.gemeenten]
        size_bytes = 0
        for number, (name, render) in enumerate(pages, start=1):
            file = staging / name
            file.parent.mkdir(parents=True, exist_ok=True)
            text = render()
            file.write_text(text, encoding="utf-8")
            size_bytes += len(text.encode())
            if number % 50 == 0 or number == len(pages):
                progress(f"  {number}/{len(pages)} pages")
        keys = [("indicator", i.code) for i in data.indicators] if downloads else []
        keys += [("region", a.code) for a in site.ggds + site.gemeenten] if downloads else []
        for number, _file in enumerate(write_downloads(paths.published, data, staging, keys, progress), start=1):
            if number % 100 == 0 or number == 2 * len(keys):
                progress(f"  {number}/{2 * len(keys)} downloads (CSV and Excel)")
        _swap(staging, target)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    progress(f"wrote {target}/index.html ({len(pages)} pages, {size_bytes / 2**20:.1f} MiB)")
    return target


def _swap(staging: Path, target: Path) -> None:
    """Put the new site in place of an older one at target (a folder this command wrote before)."""
    old = None
    if target.exists():
        old = target.with_name(f".{target.name}.old-{uuid.uuid4().hex[:8]}")
        os.rename(target, old)
    os.rename(staging, target)
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)
