"""The report page: one self-contained HTML file (inline CSS and SVG, no external URL)."""

from __future__ import annotations

import datetime as dt
from html import escape

from orchestration.report.charts import trend_chart
from orchestration.report.data import REASONS, TRENDS, IndicatorReport, ReportData
from orchestration.report.geo import Shape
from orchestration.report.i18n import NOT_ANSWERED
from orchestration.report.maps import PATTERN_DEFS, choropleth
from orchestration.report.scales import COMPARISON, format_interval, format_value

CSS = """
body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:#1f2933;margin:0;background:#fff}
header,main,footer{max-width:1080px;margin:0 auto;padding:0 20px}
header{border-bottom:3px solid #08519c;padding-top:18px;padding-bottom:10px}
h1{font-size:24px;margin:0 0 4px}h2{font-size:19px;margin:28px 0 4px;border-top:1px solid #d9dee3;padding-top:16px}
.meta,.note,.definition{color:#52606d}.note{font-style:italic}
.row{display:flex;flex-wrap:wrap;gap:20px;align-items:flex-start}
.panel h3{font-size:14px;margin:10px 0 4px}
table{border-collapse:collapse;font-size:13px;margin-top:8px}
th,td{padding:3px 8px;border-bottom:1px solid #e4e7eb;text-align:left}td.num{text-align:right;font-variant-numeric:tabular-nums}
tr.nl td{font-weight:600;background:#f5f7fa}
.badge{display:inline-block;padding:0 6px;border-radius:3px;font-size:12px}
.withheld{color:#7b8794;font-style:italic}
svg.chart .grid{stroke:#e4e7eb}svg.chart .axis{stroke:#7b8794}svg.chart .tick,svg.chart .unit{font-size:11px;fill:#52606d}
svg.chart .band{fill:#9ecae1;fill-opacity:.55}svg.chart .line{fill:none;stroke:#08519c;stroke-width:2}
svg.chart .point{fill:#08519c}svg.chart .withheld-year text{fill:#c00000;font-size:14px}
svg.map path{stroke:#ffffff;stroke-width:.4}svg.map path[data-class=none]{stroke:#9aa5b1}svg.map path:hover{stroke:#1f2933;stroke-width:1.2}
ul.legend{list-style:none;padding:0;margin:6px 0;font-size:12px}ul.legend li{display:flex;align-items:center;gap:6px;margin:2px 0}
.swatch{display:inline-block;width:14px;height:14px;border:1px solid #9aa5b1}
nav ul{columns:2;padding-left:18px}
"""


DEMO_BANNER = ('<p class="demo" role="alert" style="background:#fff3cd;border:2px solid #c00000;padding:8px 12px;'
               'font-weight:600">Demo: synthetic data (synthetische gegevens). These figures are made up and are not '
               "about real gemeenten.</p>")


def _badge(comparison: str | None) -> str:
    if not comparison:
        return ""
    colour = COMPARISON.get(comparison, "#e4e7eb")
    text_colour = "#fff" if comparison in ("worse", "lower") else "#1f2933"
    return f'<span class="badge" style="background:{colour};color:{text_colour}">{escape(comparison)}</span>'


def _withheld(reason: str | None) -> str:
    text = REASONS.get(reason, reason or "not published")
    # a gemeente that did not answer the questionnaire is not withheld: there is no answer
    return f'<span class="withheld">{escape(text if reason == NOT_ANSWERED else f"withheld ({text})")}</span>'


def _value_cells(row: dict, unit: str) -> str:
    """Value, interval and counts; a withheld row shows why, never a number."""
    if row["suppressed"] or row["value"] is None:
        return f'<td colspan="3">{_withheld(row["suppression_reason"])}</td>'
    return (f'<td class="num">{format_value(row["value"], unit)}</td>'
            f'<td class="num">{format_interval(row["ci95_lower"], row["ci95_upper"])}</td>'
            f'<td class="num">{row["numerator"]:,} / {row["denominator"]:,}</td>')


def region_table(indicator: IndicatorReport, year: int) -> str:
    head = ("<tr><th>region</th><th>value</th><th>95% CI</th><th>cases / population</th>"
            "<th>compared with Nederland</th><th>recent trend</th></tr>")
    rows = []
    if indicator.nederland:
        nl = indicator.nederland
        rows.append(f'<tr class="nl"><td>Nederland</td>{_value_cells(nl, indicator.unit)}<td></td>'
                    f'<td>{escape(TRENDS.get(nl["trend"], nl["trend"] or ""))}</td></tr>')
    for r in indicator.ggd:
        rows.append(f'<tr data-region="{r["region_code"]}"><td>{escape(r["region_name"])}</td>'
                    f'{_value_cells(r, indicator.unit)}<td>{_badge(r["compared_to_nl"])}</td>'
                    f'<td>{escape(TRENDS.get(r["trend"], r["trend"] or ""))}</td></tr>')
    return f'<table class="regions"><caption class="meta">GGD-regio\'s, {year}</caption>{head}{"".join(rows)}</table>'


def indicator_section(indicator: IndicatorReport, year: int, shapes: list[Shape] | None,
                      size: tuple[float, float], names: dict[str, str], map_note: str) -> str:
    anchor = f"ind-{indicator.code}"
    chart = trend_chart(indicator.national, indicator.unit, f"{indicator.name_en}: Nederland by year")
    nl = indicator.nederland
    summary = ""
    if nl is not None:
        summary = (f"Nederland {year}: {_withheld(nl['suppression_reason'])}" if nl["suppressed"] or nl["value"] is None
                   else f"Nederland {year}: <strong>{format_value(nl['value'], indicator.unit)}</strong> "
                        f"(95% CI {format_interval(nl['ci95_lower'], nl['ci95_upper'])}); recent trend: "
                        f"{escape(TRENDS.get(nl['trend'], nl['trend'] or 'not given'))}")
    published = sum(1 for r in indicator.gemeenten.values() if not r["suppressed"] and r["value"] is not None)
    if shapes and not published:
        map_html = (f'<h3>Gemeenten, {escape(indicator.map_period or str(year))}</h3><p class="note">No map: '
                    "every gemeente figure of this period is withheld (privacy) or missing.</p>")
    elif shapes:
        label = f"{indicator.name_en}: gemeenten, {indicator.map_period}"
        svg, legend = choropleth(shapes, size[0], size[1], indicator.gemeenten, names, indicator.unit, label)
        map_html = (f"<h3>Gemeenten, {escape(indicator.map_period or str(year))}</h3>{svg}{legend}"
                    f'<p class="meta">{published} of {len(indicator.gemeenten)} gemeenten published; '
                    "hover a gemeente for its value.</p>")
    else:
        map_html = f'<h3>Gemeenten</h3><p class="note">{map_note}</p>'
    return (f'<section class="indicator" id="{anchor}" data-indicator="{indicator.code}">'
            f"<h2>{escape(indicator.name_en)} <small class=\"meta\">({escape(indicator.code)}, "
            f"{escape(indicator.unit)})</small></h2>"
            f'<p class="definition">{escape(indicator.definition)} Dutch: {escape(indicator.name_nl)}.</p>'
            f"<p>{summary}</p>"
            f'<div class="row"><div class="panel"><h3>Nederland by year, with 95% interval</h3>{chart}</div>'
            f'<div class="panel">{map_html}</div></div>'
            f"{region_table(indicator, year)}</section>")


def profile_section(data: ReportData) -> str:
    code = data.profile_gemeente
    name = data.gemeente_names.get(code, code)
    head = ("<tr><th>indicator</th><th>value</th><th>95% CI</th><th>Nederland</th><th>compared</th>"
            "<th>recent trend</th><th>5-year pooled</th></tr>")
    rows = []
    for r in data.profile or []:
        if r["suppressed"] or r["value"] is None:
            value = f'<td colspan="2">{_withheld(r["suppression_reason"])}</td>'
        else:
            value = (f'<td class="num">{format_value(r["value"], r["unit"])}</td>'
                     f'<td class="num">{format_interval(r["ci95_lower"], r["ci95_upper"])}</td>')
        if r["pooled_period"] is None:
            pooled = ""
        elif r["pooled_suppressed"] or r["pooled_value"] is None:
            pooled = f'{r["pooled_period"]}: <span class="withheld">withheld</span>'
        else:
            pooled = f'{r["pooled_period"]}: {format_value(r["pooled_value"], r["unit"])} {_badge(r["pooled_compared_to_nl"])}'
        rows.append(f'<tr data-indicator="{r["indicator_code"]}"><td><a href="#ind-{r["indicator_code"]}">'
                    f'{escape(r["name_en"])}</a></td>{value}'
                    f'<td class="num">{format_value(r["nl_value"], r["unit"])}</td><td>{_badge(r["compared_to_nl"])}</td>'
                    f'<td>{escape(TRENDS.get(r["trend"], r["trend"] or ""))}</td><td>{pooled}</td></tr>')
    return (f'<section id="profile"><h2>{escape(name)} ({escape(code)}) compared with Nederland, {data.year}</h2>'
            f"<table>{head}{''.join(rows)}</table></section>")


def render_page(data: ReportData, shapes: list[Shape] | None, size: tuple[float, float], map_note: str) -> str:
    title = f"Kansrijke Start monitor {data.year}"
    toc = "".join(f'<li><a href="#ind-{i.code}">{escape(i.name_en)}</a></li>' for i in data.indicators)
    sections = "".join(indicator_section(i, data.year, shapes, size, data.gemeente_names, map_note)
                       for i in data.indicators)
    profile = profile_section(data) if data.profile_gemeente else ""
    generated = dt.datetime.now(dt.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    legend = " ".join(_badge(c) for c in ("better", "similar", "worse"))
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>{escape(title)}</title><style>{CSS}</style></head>
<body>{PATTERN_DEFS}
<header><h1>{escape(title)}</h1>{DEMO_BANNER if data.synthetic else ""}
<p class="meta">Release {data.year} v{data.version} ({escape(data.released_at)}); gemeenten on the
{data.classification_year} classification; {len(data.indicators)} indicators.</p></header>
<main>
<p>Per indicator: Nederland's yearly figures with their 95% confidence interval (band), a map of the
gemeenten (the 5-year pooled period when there is one, as small gemeenten rarely have a yearly
figure) and the GGD-regio's compared with Nederland: {legend} (similar when Nederland lies in the
region's 95% interval). Figures based on fewer than 10 people are withheld and shown as such.</p>
{profile}
<nav><h2>Indicators</h2><ul>{toc}</ul></nav>
{sections}
</main>
<footer><p class="meta">Generated {generated} from the released marts (published/monitor.duckdb).</p></footer>
</body></html>
"""
