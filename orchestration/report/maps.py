"""Inline SVG maps of the gemeenten: coloured by value classes (quantiles) or by the comparison
with Nederland, and a locator map with an area outlined."""

from __future__ import annotations

from html import escape

from orchestration.report.geo import Shape
from orchestration.report.i18n import EN, Words
from orchestration.report.scales import (COMPARISON, NO_DATA_FILL, SUPPRESSED_FILL, class_colours, class_index,
                                         quantile_breaks)

# shared by every map of the page (ids are page-wide): the hatching for withheld gemeenten
PATTERN_DEFS = ('<svg width="0" height="0" style="position:absolute" aria-hidden="true"><defs>'
                '<pattern id="withheld" width="4" height="4" patternUnits="userSpaceOnUse" '
                'patternTransform="rotate(45)"><rect width="4" height="4" fill="#e6e6e6"/>'
                '<line x1="0" y1="0" x2="0" y2="4" stroke="#9a9a9a" stroke-width="1.2"/></pattern>'
                "</defs></svg>")
LOCATOR_FILL, SELECTED_FILL = "#dfe4ea", "#08519c"


def _tooltip(shape: Shape, name: str, row: dict | None, unit: str, words: Words = EN, with_code: bool = True) -> str:
    if not with_code:  # name is that of a larger area the shape belongs to
        return _tooltip(Shape(shape.code, name, shape.path), name, row, unit, words).replace(f" ({shape.code})", "", 1)
    if row is None:
        return f"{name} ({shape.code}): {words.t('no_figure')}"
    if row["suppressed"] or row["value"] is None:
        return f"{name} ({shape.code}): {words.withheld(row['suppression_reason'])}"
    text = f"{name} ({shape.code}): {words.value(row['value'], unit)}"
    interval = words.interval(row["ci95_lower"], row["ci95_upper"])
    if interval:
        text += f" ({words.t('ci95')} {interval})"
    if row.get("compared_to_nl"):
        text += ", " + (words.t("than_nl", comparison=words.comparison(row["compared_to_nl"]))
                        if row["compared_to_nl"] != "similar" else words.t("similar_nl"))
    return text


def _ordered(shapes: list[Shape], selected: set[str]) -> list[Shape]:
    """The selected shapes last, so that their outline is drawn on top of their neighbours."""
    return [s for s in shapes if s.code not in selected] + [s for s in shapes if s.code in selected]


def choropleth(shapes: list[Shape], width: float, height: float, rows: dict[str, dict],
               names: dict[str, str], unit: str, label: str, words: Words = EN, colour_by: str = "quantile",
               selected: set[str] | frozenset = frozenset(), links: dict[str, str] | None = None,
               with_code: bool = True) -> tuple[str, str]:
    """(svg, legend html). One path per shape, with data-gemeente and data-class; withheld
    gemeenten get the hatching and no number anywhere. colour_by 'quantile' (value classes) or
    'comparison' (better / similar / worse than Nederland); selected gemeenten are outlined."""
    values = [r["value"] for r in rows.values() if not r["suppressed"] and r["value"] is not None]
    breaks = quantile_breaks(values, 5) if colour_by == "quantile" else []
    colours = class_colours(breaks)
    out = [f'<svg class="map" role="img" width="{width}" height="{height}" viewBox="0 0 {width} {height}">',
           f"<title>{escape(label)}</title>"]
    for shape in _ordered(shapes, set(selected)):
        row = rows.get(shape.code)
        name = names.get(shape.code, shape.name)
        if row is None:
            fill, cls = NO_DATA_FILL, "none"
        elif row["suppressed"] or row["value"] is None:
            fill, cls = SUPPRESSED_FILL, "withheld"
        elif colour_by == "comparison":
            cls = row.get("compared_to_nl") or "none"
            fill = COMPARISON.get(cls, NO_DATA_FILL)
        else:
            k = class_index(row["value"], breaks)
            fill, cls = colours[k], str(k)
        out.append(_path(shape, fill, cls, _tooltip(shape, name, row, unit, words, with_code), shape.code in selected,
                         links))
    out.append("</svg>")
    if colour_by == "comparison":
        return "".join(out), comparison_legend(words, bool(values))
    return "".join(out), legend(breaks, colours, unit, bool(values), words)


def _path(shape: Shape, fill: str, cls: str, tip: str, selected: bool, links: dict[str, str] | None) -> str:
    mark = ' data-selected="1" class="selected"' if selected else ""
    path = (f'<path data-gemeente="{shape.code}" data-class="{cls}"{mark} fill="{fill}" d="{shape.path}">'
            f"<title>{escape(tip)}</title></path>")
    if links and shape.code in links:
        return f'<a href="{escape(links[shape.code])}">{path}</a>'
    return path


def locator_map(shapes: list[Shape], width: float, height: float, names: dict[str, str], label: str,
                selected: set[str], links: dict[str, str] | None = None) -> str:
    """Every gemeente in grey, the selected ones filled and outlined (where an area lies)."""
    out = [f'<svg class="map locator" role="img" width="{width}" height="{height}" viewBox="0 0 {width} {height}">',
           f"<title>{escape(label)}</title>"]
    for shape in _ordered(shapes, selected):
        chosen = shape.code in selected
        out.append(_path(shape, SELECTED_FILL if chosen else LOCATOR_FILL, "area" if chosen else "other",
                         f"{names.get(shape.code, shape.name)} ({shape.code})", chosen, links))
    out.append("</svg>")
    return "".join(out)


def comparison_legend(words: Words = EN, any_values: bool = True) -> str:
    items = []
    if any_values:
        for code in ("better", "similar", "worse"):
            text = words.t("similar_nl") if code == "similar" else words.t("than_nl", comparison=words.comparison(code))
            items.append(f'<li><span class="swatch" style="background:{COMPARISON[code]}"></span>{escape(text)}</li>')
    items.append('<li><svg class="swatch" width="14" height="14"><rect width="14" height="14" '
                 f'fill="url(#withheld)"/></svg>{escape(words.t("privacy"))}</li>')
    items.append(f'<li><span class="swatch" style="background:{NO_DATA_FILL}"></span>{escape(words.t("no_figure"))}</li>')
    return f'<ul class="legend">{"".join(items)}</ul>'


def legend(breaks: list[float], colours: list[str], unit: str, any_values: bool, words: Words = EN) -> str:
    items = []
    if any_values:
        edges = ["min", *[words.value(b, unit) for b in breaks], "max"]
        for k, colour in enumerate(colours):
            if len(colours) == 1:
                text = words.t("published_value")
            elif k == 0:
                text = words.t("below", edge=edges[1])
            elif k == len(colours) - 1:
                text = words.t("or_more", edge=edges[k])
            else:
                text = words.t("class_range", low=edges[k], high=edges[k + 1])
            items.append(f'<li><span class="swatch" style="background:{colour}"></span>{escape(text)}</li>')
    items.append('<li><svg class="swatch" width="14" height="14"><rect width="14" height="14" '
                 f'fill="url(#withheld)"/></svg>{escape(words.t("privacy"))}</li>')
    items.append(f'<li><span class="swatch" style="background:{NO_DATA_FILL}"></span>{escape(words.t("no_figure"))}</li>')
    return f'<ul class="legend">{"".join(items)}</ul>'
