"""The spine chart of an area profile, one row per indicator (as in Fingertips' area profiles).

Nederland sits in the middle; the bar spans the range of all areas of the same level (the
middle half darker), worst on the left and best on the right by the indicator's polarity; the
area's value is a marker coloured by its comparison with Nederland. Every row has exactly one
marker: a withheld or missing figure gets a hollow one, never a position that gives a number away.
"""

from __future__ import annotations

from collections.abc import Callable
from html import escape

from orchestration.report.i18n import Words
from orchestration.report.scales import COMPARISON

WIDTH, HEIGHT = 300, 22
RANGE_FILL, MIDDLE_FILL = "#d9dee3", "#9aa5b1"


def _quantile(sorted_values: list[float], q: float) -> float:
    pos = q * (len(sorted_values) - 1)
    lo = int(pos)
    hi = min(lo + 1, len(sorted_values) - 1)
    return sorted_values[lo] + (sorted_values[hi] - sorted_values[lo]) * (pos - lo)


def _scale(data: list[float], centre: float | None, polarity: str,
           middle: float) -> Callable[[float], float] | None:
    """value -> x: the centre in the middle, the farthest area at the edge, worse on the left; None
    without figures to span."""
    if not data or centre is None:
        return None
    reach = max(abs(data[0] - centre), abs(data[-1] - centre), 1e-9)
    flip = -1 if polarity == "low_is_good" else 1  # worse on the left
    return lambda v: middle + flip * (v - centre) / reach * (middle - 8)


def spine_row(indicator_code: str, values: list[float], nl: float | None, row: dict | None, polarity: str,
              unit: str, words: Words, label: str) -> str:
    """One row's SVG: values are the published figures of every area of the level."""
    data = sorted(v for v in values if v is not None)
    middle = WIDTH / 2
    out = [f'<svg class="spine" role="img" width="{WIDTH}" height="{HEIGHT}" viewBox="0 0 {WIDTH} {HEIGHT}" '
           f'data-indicator="{escape(indicator_code)}"><title>{escape(label)}</title>']
    centre = nl if nl is not None else (_quantile(data, 0.5) if data else None)
    scale = _scale(data, centre, polarity, middle)
    if scale is not None:
        lo, hi = sorted((scale(data[0]), scale(data[-1])))
        q1, q3 = sorted((scale(_quantile(data, 0.25)), scale(_quantile(data, 0.75))))
        out.append(f'<rect class="range" x="{lo:.1f}" y="6" width="{max(hi - lo, 0.5):.1f}" height="10" fill="{RANGE_FILL}">'
                   f"<title>{escape(words.value(data[0], unit))} \u2013 {escape(words.value(data[-1], unit))}</title></rect>")
        out.append(f'<rect class="middle-half" x="{q1:.1f}" y="6" width="{max(q3 - q1, 0.5):.1f}" height="10" '
                   f'fill="{MIDDLE_FILL}"/>')
    out.append(f'<line class="nl" x1="{middle}" x2="{middle}" y1="2" y2="{HEIGHT - 2}"/>')
    published = row is not None and not row["suppressed"] and row["value"] is not None
    if published and scale is not None:
        comparison = row.get("compared_to_nl") or "none"
        fill = COMPARISON.get(comparison, "#ffffff")
        tip = f"{words.value(row['value'], unit)}" + (f", {words.comparison(comparison)}" if comparison != "none" else "")
        out.append(f'<circle class="spine-marker" data-comparison="{escape(comparison)}" cx="{scale(row["value"]):.1f}" '
                   f'cy="11" r="6" fill="{fill}"><title>{escape(tip)}</title></circle>')
    else:
        why = words.withheld(row["suppression_reason"]) if row is not None else words.t("no_figure")
        out.append(f'<circle class="spine-marker" data-comparison="withheld" cx="{middle}" cy="11" r="5" '
                   f'fill="none" stroke-dasharray="2 2"><title>{escape(why)}</title></circle>')
    out.append("</svg>")
    return "".join(out)
