"""Inline SVG charts: trends (Nederland's yearly values with the 95% interval as a band, and an
area's beside them) and bars with intervals (breakdowns)."""

from __future__ import annotations

from html import escape

from orchestration.report.i18n import EN, Words
from orchestration.report.scales import linear, nice_ticks

WIDTH, HEIGHT = 440, 240
MARGIN = {"left": 48, "right": 14, "top": 24, "bottom": 34}


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


def _points(rows: list[dict]) -> list[dict]:
    return [{"year": r["year_to"], "value": None if r["suppressed"] else r["value"],
             "lo": r["ci95_lower"], "hi": r["ci95_upper"], "reason": r["suppression_reason"]} for r in rows]


def trend_chart(rows: list[dict], unit: str, label: str, words: Words = EN,
                area_rows: list[dict] | None = None, area_name: str | None = None) -> str:
    """rows: Nederland's yearly rows (year_to, value, ci95_lower, ci95_upper, suppressed,
    suppression_reason). Withheld years are marked on the axis, never drawn as numbers. With
    area_rows, the area's published years are drawn beside Nederland's as a second line."""
    points = _points(rows)
    area = _points(area_rows or [])
    if not points:
        return f'<p class="note">{escape(words.t("no_national"))}</p>'
    published = [p for p in points + area if p["value"] is not None]
    years = [p["year"] for p in points + area]
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
                   f'<text class="tick" x="{plot_l - 6}" y="{y(t) + 4:.1f}" text-anchor="end">{words.tick(t)}</text>')
    step = max(1, round(len(range(min(years), max(years) + 1)) / 8))
    for year in range(min(years), max(years) + 1, step):
        out.append(f'<text class="tick" x="{x(year):.1f}" y="{plot_b + 16}" text-anchor="middle">{year}</text>')
    out.append(f'<text class="unit" x="{plot_l - 40}" y="{plot_t - 12}">{escape(unit)}</text>')
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
            out.append(f'<g class="withheld-year"><text x="{x(p["year"]):.1f}" y="{plot_b - 4}" '
                       f'text-anchor="middle">&#215;</text><title>{p["year"]}: '
                       f'{escape(words.withheld(p["reason"]))}</title></g>')
        else:
            interval = words.interval(p["lo"], p["hi"])
            tip = f"{p['year']}: {words.value(p['value'], unit)}" + (
                f" ({words.t('ci95')} {interval})" if interval else "")
            out.append(f'<circle class="point" cx="{x(p["year"]):.1f}" cy="{y(p["value"]):.1f}" r="3.5">'
                       f"<title>{escape(tip)}</title></circle>")
    if area_rows is not None:
        for run in _runs(area):
            if len(run) > 1:
                line = " ".join(f"{x(p['year']):.1f},{y(p['value']):.1f}" for p in run)
                out.append(f'<polyline class="line area" points="{line}"/>')
        for p in area:
            if p["value"] is not None:
                interval = words.interval(p["lo"], p["hi"])
                tip = f"{area_name} {p['year']}: {words.value(p['value'], unit)}" + (
                    f" ({words.t('ci95')} {interval})" if interval else "")
                out.append(f'<rect class="point area" x="{x(p["year"]) - 3.5:.1f}" y="{y(p["value"]) - 3.5:.1f}" '
                           f'width="7" height="7"><title>{escape(tip)}</title></rect>')
        out.append(f'<g class="key"><line class="line" x1="{plot_l + 8}" x2="{plot_l + 26}" y1="{plot_t + 6}" '
                   f'y2="{plot_t + 6}"/><text x="{plot_l + 30}" y="{plot_t + 10}">Nederland</text>'
                   f'<line class="line area" x1="{plot_l + 8}" x2="{plot_l + 26}" y1="{plot_t + 22}" '
                   f'y2="{plot_t + 22}"/><text x="{plot_l + 30}" y="{plot_t + 26}">{escape(area_name or "")}</text></g>')
    out.append(f'<line class="axis" x1="{plot_l}" x2="{plot_r}" y1="{plot_b}" y2="{plot_b}"/></svg>')
    return "".join(out)


BAR_WIDTH, BAR_ROW, BAR_LABEL = 440, 22, 190


def bar_chart(bars: list[dict], unit: str, label: str, words: Words = EN, reference: float | None = None,
              reference_label: str = "Nederland") -> str:
    """Horizontal bars with their 95% interval as a whisker; bars: label, value, ci95_lower,
    ci95_upper, suppressed, suppression_reason. A withheld bar says so instead of a number; a
    dashed line marks the reference (Nederland's total)."""
    published = [b for b in bars if not b["suppressed"] and b["value"] is not None]
    highs = [b["ci95_upper"] if b["ci95_upper"] is not None else b["value"] for b in published]
    top = max(highs + ([reference] if reference is not None else []) + [0.0])
    ticks = nice_ticks(0.0, top or 1.0, 4)
    left, right = BAR_LABEL, BAR_WIDTH - 16
    x = linear((0.0, ticks[-1]), (left, right))
    height = BAR_ROW * len(bars) + 34
    out = [f'<svg class="chart bars" role="img" width="{BAR_WIDTH}" height="{height}" '
           f'viewBox="0 0 {BAR_WIDTH} {height}"><title>{escape(label)}</title>']
    for t in ticks:
        out.append(f'<line class="grid" x1="{x(t):.1f}" x2="{x(t):.1f}" y1="4" y2="{height - 26}"/>'
                   f'<text class="tick" x="{x(t):.1f}" y="{height - 12}" text-anchor="middle">{words.tick(t)}</text>')
    for i, bar in enumerate(bars):
        top_y = 6 + i * BAR_ROW
        mid = top_y + (BAR_ROW - 6) / 2
        out.append(f'<text class="tick" x="{left - 6}" y="{mid + 4:.1f}" text-anchor="end">{escape(bar["label"])}</text>')
        if bar["suppressed"] or bar["value"] is None:
            why = words.withheld(bar["suppression_reason"])
            out.append(f'<text class="withheld" x="{left + 4}" y="{mid + 4:.1f}">{escape(why)}</text>')
            continue
        value = bar["value"]
        interval = words.interval(bar["ci95_lower"], bar["ci95_upper"])
        tip = f"{bar['label']}: {words.value(value, unit)}" + (f" ({words.t('ci95')} {interval})" if interval else "")
        out.append(f'<rect class="bar" x="{left}" y="{top_y:.1f}" width="{max(0.5, x(value) - left):.1f}" '
                   f'height="{BAR_ROW - 6}"><title>{escape(tip)}</title></rect>')
        if bar["ci95_lower"] is not None and bar["ci95_upper"] is not None:
            lo, hi = x(bar["ci95_lower"]), x(bar["ci95_upper"])
            out.append(f'<path class="whisker" d="M{lo:.1f} {mid:.1f}H{hi:.1f}M{lo:.1f} {mid - 4:.1f}v8'
                       f'M{hi:.1f} {mid - 4:.1f}v8"/>')
    if reference is not None:
        out.append(f'<line class="reference" x1="{x(reference):.1f}" x2="{x(reference):.1f}" y1="2" '
                   f'y2="{height - 26}"><title>{escape(reference_label)}: {words.value(reference, unit)}</title></line>')
    out.append(f'<text class="unit" x="{right}" y="{height - 1}" text-anchor="end">{escape(unit)}</text></svg>')
    return "".join(out)
