"""Inline SVG choropleth of the gemeenten, coloured by value classes (quantiles)."""

from __future__ import annotations

from html import escape

from orchestration.report.data import REASONS
from orchestration.report.geo import Shape
from orchestration.report.scales import (NO_DATA_FILL, SUPPRESSED_FILL, class_colours, class_index,
                                         format_interval, format_value, quantile_breaks)

# shared by every map of the page (ids are page-wide): the hatching for withheld gemeenten
PATTERN_DEFS = ('<svg width="0" height="0" style="position:absolute" aria-hidden="true"><defs>'
                '<pattern id="withheld" width="4" height="4" patternUnits="userSpaceOnUse" '
                'patternTransform="rotate(45)"><rect width="4" height="4" fill="#e6e6e6"/>'
                '<line x1="0" y1="0" x2="0" y2="4" stroke="#9a9a9a" stroke-width="1.2"/></pattern>'
                "</defs></svg>")


def _tooltip(shape: Shape, name: str, row: dict | None, unit: str) -> str:
    if row is None:
        return f"{name} ({shape.code}): no figure"
    if row["suppressed"] or row["value"] is None:
        return f"{name} ({shape.code}): withheld ({REASONS.get(row['suppression_reason'], 'not published')})"
    text = f"{name} ({shape.code}): {format_value(row['value'], unit)}"
    interval = format_interval(row["ci95_lower"], row["ci95_upper"])
    if interval:
        text += f" (95% CI {interval})"
    if row.get("compared_to_nl"):
        text += f", {row['compared_to_nl']} than Nederland" if row["compared_to_nl"] != "similar" \
            else ", similar to Nederland"
    return text


def choropleth(shapes: list[Shape], width: float, height: float, rows: dict[str, dict],
               names: dict[str, str], unit: str, label: str) -> tuple[str, str]:
    """(svg, legend html). One path per shape, with data-gemeente and data-class; withheld
    gemeenten get the hatching and no number anywhere."""
    values = [r["value"] for r in rows.values() if not r["suppressed"] and r["value"] is not None]
    breaks = quantile_breaks(values, 5)
    colours = class_colours(breaks)
    out = [f'<svg class="map" role="img" width="{width}" height="{height}" viewBox="0 0 {width} {height}">',
           f"<title>{escape(label)}</title>"]
    for shape in shapes:
        row = rows.get(shape.code)
        name = names.get(shape.code, shape.name)
        if row is None:
            fill, cls = NO_DATA_FILL, "none"
        elif row["suppressed"] or row["value"] is None:
            fill, cls = SUPPRESSED_FILL, "withheld"
        else:
            k = class_index(row["value"], breaks)
            fill, cls = colours[k], str(k)
        out.append(f'<path data-gemeente="{shape.code}" data-class="{cls}" fill="{fill}" d="{shape.path}">'
                   f"<title>{escape(_tooltip(shape, name, row, unit))}</title></path>")
    out.append("</svg>")
    return "".join(out), legend(breaks, colours, unit, bool(values))


def legend(breaks: list[float], colours: list[str], unit: str, any_values: bool) -> str:
    items = []
    if any_values:
        edges = ["min", *[format_value(b, unit) for b in breaks], "max"]
        for k, colour in enumerate(colours):
            if len(colours) == 1:
                text = "published value"
            elif k == 0:
                text = f"below {edges[1]}"
            elif k == len(colours) - 1:
                text = f"{edges[k]} or more"
            else:
                text = f"{edges[k]} to {edges[k + 1]}"
            items.append(f'<li><span class="swatch" style="background:{colour}"></span>{escape(text)}</li>')
    items.append('<li><svg class="swatch" width="14" height="14"><rect width="14" height="14" '
                 'fill="url(#withheld)"/></svg>withheld (privacy)</li>')
    items.append(f'<li><span class="swatch" style="background:{NO_DATA_FILL}"></span>no figure</li>')
    return f'<ul class="legend">{"".join(items)}</ul>'
