"""`ksm report`: one self-contained HTML report of a released year (charts, map, tables), in Dutch
by default (`lang="en"` for English)."""

from __future__ import annotations

import os
from pathlib import Path

from orchestration.report.data import ReportError, load_report_data
from orchestration.report.geo import BoundaryError, Shape, fit_shapes, load_features
from orchestration.report.html import render_page
from orchestration.report.i18n import LANGUAGES
from orchestration.settings import Paths

MAP_WIDTH, MAP_HEIGHT = 460, 540

__all__ = ["BoundaryError", "ReportError", "build_report", "default_boundaries", "map_shapes", "write_atomically"]


def default_boundaries(paths: Paths, classification_year: int) -> Path:
    """Where `ksm fetch-boundaries --year Y` puts the boundaries of classification Y."""
    return paths.home / "boundaries" / f"gemeenten_{classification_year}.geojson"


def map_shapes(paths: Paths, classification_year: int, names: dict[str, str], boundaries: Path | None,
               width: float, height: float, progress=print) -> tuple[list[Shape] | None, tuple[float, float]]:
    """The gemeenten of the classification fitted into width x height, from `boundaries` or what
    `ksm fetch-boundaries` wrote; (None, size) when there are none (the page gets a note)."""
    source = boundaries or default_boundaries(paths, classification_year)
    if boundaries is None and not source.exists():
        progress(f"  no boundaries at {source}: the pages get a note instead of the maps")
        return None, (width, height)
    features = load_features(source)
    matched = [f for f in features if f.code in names]
    if not matched:
        raise BoundaryError(f"{source}: none of its {len(features)} features is a gemeente of the "
                            f"{classification_year} classification")
    missing = len(set(names) - {f.code for f in matched})
    shapes, used_w, used_h = fit_shapes(matched, width, height)
    progress(f"  map: {len(matched)} gemeenten from {source}"
             + (f" ({len(features) - len(matched)} features of other codes left out)" if len(matched) < len(features) else "")
             + (f"; {missing} gemeenten have no boundary" if missing else ""))
    return shapes, (used_w, used_h)


def build_report(paths: Paths, year: int, boundaries: Path | None = None, gemeente: str | None = None,
                 out: Path | None = None, progress=print, lang: str = "nl") -> Path:
    if lang not in LANGUAGES:
        raise ReportError(f"--lang {lang!r}: the report speaks {' or '.join(sorted(LANGUAGES))}")
    words = LANGUAGES[lang]
    data = load_report_data(paths.published, year, gemeente)
    progress(f"report {year} v{data.version} ({lang}): {len(data.indicators)} indicators, "
             f"classification {data.classification_year}")
    shapes, size = map_shapes(paths, data.classification_year, data.gemeente_names, boundaries,
                              MAP_WIDTH, MAP_HEIGHT, progress)
    note = "" if shapes else words.t("map_none", year=data.classification_year)
    html = render_page(data, shapes, size, note, words)
    suffix = "" if lang == "nl" else f"-{lang}"  # each language its own file, as the site's folders
    target = out or paths.home / "reports" / f"monitor-{year}-v{data.version}{suffix}.html"
    write_atomically(target, html)
    progress(f"wrote {target} ({len(html.encode()) / 1024:.0f} KiB)")
    return target


def write_atomically(target: Path, text: str) -> None:
    target.parent.mkdir(parents=True, exist_ok=True)
    temporary = target.with_name(f".{target.name}.tmp")
    temporary.write_text(text, encoding="utf-8")
    os.replace(temporary, target)
