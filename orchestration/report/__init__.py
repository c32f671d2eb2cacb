"""`ksm report`: one self-contained HTML report of a released year (charts, map, tables)."""

from __future__ import annotations

import os
from pathlib import Path

from orchestration.report.data import ReportError, load_report_data
from orchestration.report.geo import BoundaryError, fit_shapes, load_features
from orchestration.report.html import render_page
from orchestration.settings import Paths

MAP_WIDTH, MAP_HEIGHT = 320, 380

__all__ = ["BoundaryError", "ReportError", "build_report", "default_boundaries"]


def default_boundaries(paths: Paths, classification_year: int) -> Path:
    """Where `ksm fetch-boundaries --year Y` puts the boundaries of classification Y."""
    return paths.home / "boundaries" / f"gemeenten_{classification_year}.geojson"


def build_report(paths: Paths, year: int, boundaries: Path | None = None, gemeente: str | None = None,
                 out: Path | None = None, progress=print) -> Path:
    data = load_report_data(paths.published, year, gemeente)
    progress(f"report {year} v{data.version}: {len(data.indicators)} indicators, "
             f"classification {data.classification_year}")
    shapes, size, note = None, (MAP_WIDTH, MAP_HEIGHT), ""
    source = boundaries or default_boundaries(paths, data.classification_year)
    if boundaries is None and not source.exists():
        note = (f"No map: no gemeente boundaries for {data.classification_year}. Run "
                f"<code>ksm fetch-boundaries --year {data.classification_year}</code> or pass "
                "<code>--boundaries FILE.geojson</code>.")
        progress(f"  no boundaries at {source}: the report gets a note instead of the maps")
    else:
        features = load_features(source)
        matched = [f for f in features if f.code in data.gemeente_names]
        if not matched:
            raise BoundaryError(f"{source}: none of its {len(features)} features is a gemeente of the "
                                f"{data.classification_year} classification")
        missing = len(set(data.gemeente_names) - {f.code for f in matched})
        shapes, width, height = fit_shapes(matched, MAP_WIDTH, MAP_HEIGHT)
        size = (width, height)
        progress(f"  map: {len(matched)} gemeenten from {source}"
                 + (f" ({len(features) - len(matched)} features of other codes left out)" if len(matched) < len(features) else "")
                 + (f"; {missing} gemeenten have no boundary" if missing else ""))
    html = render_page(data, shapes, size, note)
    target = out or paths.home / "reports" / f"monitor-{year}-v{data.version}.html"
    target.parent.mkdir(parents=True, exist_ok=True)
    temporary = target.with_name(f".{target.name}.tmp")
    temporary.write_text(html, encoding="utf-8")
    os.replace(temporary, target)
    progress(f"wrote {target} ({len(html.encode()) / 1024:.0f} KiB)")
    return target
