"""Inline SVG trend chart: Nederland's yearly values with the 95% interval as a band."""

from __future__ import annotations

from html import escape

from orchestration.report.data import REASONS
from orchestration.report.scales import format_interval, format_tick, format_value, linear, nice_ticks

WIDTH, HEIGHT = 440, 240
MARGIN = {"left": 48, "right": 14, "top": 14, "bottom": 34}


def _runs(points: list[dict]) -> list[list[dict]]:
    """Consecutive published years: a withheld or missing year breaks the line and the band."""
    runs, current, previous = [], [], None
    for p in points:
        if p["value"] is None or (previous is not None and p["year"] != previous + 1):
            if current:
                runs.append(current)
            current = []
        if p["value"] is not None:
            current.append(p)
        previous = p["year"]
    if current:
        runs.append(current)
    return runs


def trend_chart(rows: list[dict], unit: str, label: str) -> str:
    """rows: Nederland's yearly rows (year_to, value, ci95_lower, ci95_upper, suppressed,
    suppression_reason). Withheld years are marked on the axis, never drawn as numbers."""
    points = [{"year": r["year_to"], "value": None if r["suppressed"] else r["value"],
               "lo": r["ci95_lower"], "hi": r["ci95_upper"], "reason": r["suppression_reason"]} for r in rows]
    if not points:
        return '<p class="note">No national figure published for this indicator.</p>'
    published = [p for p in points if p["value"] is not None]
    years = [p["year"] for p in points]
    x0, x1 = min(years), max(years)
    if x0 == x1:
        x0, x1 = x0 - 1, x1 + 1
    plot_l, plot_r = MARGIN["left"], WIDTH - MARGIN["right"]
    plot_t, plot_b = MARGIN["top"], HEIGHT - MARGIN["bottom"]
    x = linear((x0 - 0.3, x1 + 0.3), (plot_l, plot_r))
    if published:
        lows = [p["lo"] if p["lo"] is not None else p["value"] for p in published]
        highs = [p["hi"] if p["hi"] is not None else p["value"] for p in published]
        ticks = nice_ticks(min(lows), max(highs), 4)
    else:
        ticks = [0.0, 1.0]
    y = linear((ticks[0], ticks[-1]), (plot_b, plot_t))
    out = [f'<svg class="chart" role="img" width="{WIDTH}" height="{HEIGHT}" viewBox="0 0 {WIDTH} {HEIGHT}">',
           f"<title>{escape(label)}</title>"]
    for t in ticks:
        out.append(f'<line class="grid" x1="{plot_l}" x2="{plot_r}" y1="{y(t):.1f}" y2="{y(t):.1f}"/>'
                   f'<text class="tick" x="{plot_l - 6}" y="{y(t) + 4:.1f}" text-anchor="end">{format_tick(t)}</text>')
    step = max(1, round(len(range(min(years), max(years) + 1)) / 8))
    for year in range(min(years), max(years) + 1, step):
        out.append(f'<text class="tick" x="{x(year):.1f}" y="{plot_b + 16}" text-anchor="middle">{year}</text>')
    out.append(f'<text class="unit" x="{plot_l - 40}" y="{plot_t - 2}">{escape(unit)}</text>')
    for run in _runs(points):
        band = [p for p in run if p["lo"] is not None and p["hi"] is not None]
        if len(band) > 1:
            upper = " ".join(f"{x(p['year']):.1f},{y(p['hi']):.1f}" for p in band)
            lower = " ".join(f"{x(p['year']):.1f},{y(p['lo']):.1f}" for p in reversed(band))
            out.append(f'<polygon class="band" points="{upper} {lower}"/>')
        elif band:
            p = band[0]
            out.append(f'<rect class="band" x="{x(p["year"]) - 6:.1f}" y="{y(p["hi"]):.1f}" width="12" '
                       f'height="{max(0.5, y(p["lo"]) - y(p["hi"])):.1f}"/>')
        if len(run) > 1:
            line = " ".join(f"{x(p['year']):.1f},{y(p['value']):.1f}" for p in run)
            out.append(f'<polyline class="line" points="{line}"/>')
    for p in points:
        if p["value"] is None:
            why = REASONS.get(p["reason"], p["reason"] or "not published")
            out.append(f'<g class="withheld-year"><text x="{x(p["year"]):.1f}" y="{plot_b - 4}" '
                       f'text-anchor="middle">&#215;</text><title>{p["year"]}: withheld ({escape(why)})</title></g>')
        else:
            interval = format_interval(p["lo"], p["hi"])
            tip = f"{p['year']}: {format_value(p['value'], unit)}" + (f" (95% CI {interval})" if interval else "")
            out.append(f'<circle class="point" cx="{x(p["year"]):.1f}" cy="{y(p["value"]):.1f}" r="3.5">'
                       f"<title>{escape(tip)}</title></circle>")
    out.append(f'<line class="axis" x1="{plot_l}" x2="{plot_r}" y1="{plot_b}" y2="{plot_b}"/></svg>')
    return "".join(out)
