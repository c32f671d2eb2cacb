"""The report page: one self-contained HTML file (inline CSS and SVG, no external URL), in Dutch
by default: every word through a `Words` (`orchestration.report.i18n`)."""

from __future__ import annotations

import datetime as dt
from html import escape

from orchestration.report.charts import trend_chart
from orchestration.report.data import IndicatorReport, ReportData
from orchestration.report.geo import Shape
from orchestration.report.i18n import NL, Words
from orchestration.report.maps import PATTERN_DEFS, choropleth
from orchestration.report.scales import COMPARISON

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
nav ul{columns:2;padding-left:18px}nav h3{font-size:14px;margin:10px 0 2px}
"""


DEMO_STYLE = "background:#fff3cd;border:2px solid #c00000;padding:8px 12px;font-weight:600"


def badge(comparison: str | None, words: Words) -> str:
    """The comparison with Nederland as a coloured word ('beter', 'gelijk', 'slechter')."""
    if not comparison:
        return ""
    colour = COMPARISON.get(comparison, "#e4e7eb")
    text_colour = "#fff" if comparison in ("worse", "lower") else "#1f2933"
    return (f'<span class="badge" data-comparison="{escape(comparison)}" style="background:{colour};'
            f'color:{text_colour}">{escape(words.comparison(comparison))}</span>')


def _withheld(reason: str | None, words: Words) -> str:
    return f'<span class="withheld">{escape(words.withheld(reason))}</span>'


def _value_cells(row: dict, words: Words) -> str:
    """Value and interval as bare numbers (the unit is in the column header) and the counts; a
    withheld row shows why, never a number."""
    if row["suppressed"] or row["value"] is None:
        return f'<td colspan="3">{_withheld(row["suppression_reason"], words)}</td>'
    return (f'<td class="num">{words.figure(row["value"])}</td>'
            f'<td class="num">{words.interval(row["ci95_lower"], row["ci95_upper"])}</td>'
            f'<td class="num">{words.count(row["numerator"])} / {words.count(row["denominator"])}</td>')


def region_table(indicator: IndicatorReport, year: int, words: Words) -> str:
    w = words
    head = (f'<tr><th>{escape(w.t("region"))}</th><th>{escape(w.t("value", unit=indicator.unit))}</th>'
            f'<th>{escape(w.t("ci", unit=indicator.unit))}</th><th>{escape(w.t("counts"))}</th>'
            f'<th>{escape(w.t("compared"))}</th><th>{escape(w.t("trend"))}</th></tr>')
    rows = []
    if indicator.nederland:
        nl = indicator.nederland
        rows.append(f'<tr class="nl"><td>{escape(w.t("nederland"))}</td>{_value_cells(nl, w)}<td></td>'
                    f'<td>{escape(w.trend(nl["trend"]))}</td></tr>')
    for r in indicator.ggd:
        rows.append(f'<tr data-region="{r["region_code"]}"><td>{escape(r["region_name"])}</td>'
                    f'{_value_cells(r, w)}<td>{badge(r["compared_to_nl"], w)}</td>'
                    f'<td>{escape(w.trend(r["trend"]))}</td></tr>')
    return (f'<table class="regions" data-unit="{escape(indicator.unit)}"><caption class="meta">'
            f'{escape(w.t("ggd_table", year=year))}</caption>{head}{"".join(rows)}</table>')


def indicator_section(indicator: IndicatorReport, year: int, shapes: list[Shape] | None,
                      size: tuple[float, float], names: dict[str, str], map_note: str, words: Words) -> str:
    w = words
    anchor = f"ind-{indicator.code}"
    name = indicator.name(w)
    chart = trend_chart(indicator.national, indicator.unit, f"{name}: {w.t('nl_by_year')}", w)
    nl = indicator.nederland
    summary = ""
    if nl is not None:
        summary = (f"{escape(w.t('nederland'))} {year}: {_withheld(nl['suppression_reason'], w)}"
                   if nl["suppressed"] or nl["value"] is None else w.nl_summary(year, nl, indicator.unit))
    period = indicator.map_period or str(year)
    title = f'<h3>{escape(w.t("map_values", period=period))}</h3>'
    published = sum(1 for r in indicator.gemeenten.values() if not r["suppressed"] and r["value"] is not None)
    if shapes and not published:
        map_html = f'{title}<p class="note">{escape(w.t("map_all_withheld"))}</p>'
    elif shapes:
        label = f"{name}: {w.t('map_values', period=period)}"
        svg, legend = choropleth(shapes, size[0], size[1], indicator.gemeenten, names, indicator.unit, label, w)
        map_html = (f"{title}{svg}{legend}<p class=\"meta\">"
                    f"{escape(w.t('map_published', published=published, total=len(indicator.gemeenten)))}</p>")
    else:
        map_html = f'<h3>{escape(w.t("gemeenten"))}</h3><p class="note">{map_note}</p>'
    phase = w.phases.get(indicator.phase or "", "")
    note = indicator.quality_note(w)
    return (f'<section class="indicator" id="{anchor}" data-indicator="{indicator.code}">'
            f"<h2>{escape(name)} <small class=\"meta\">({escape(indicator.code)}, "
            f"{escape(indicator.unit)})</small></h2>"
            f'<p class="definition">{escape(phase + ". " if phase else "")}{escape(indicator.definition(w))}</p>'
            + (f'<p class="note quality-note">{escape(note)}</p>' if note else "")
            + f"<p>{summary}</p>"
            f'<div class="row"><div class="panel"><h3>{escape(w.t("nl_by_year"))}</h3>{chart}</div>'
            f'<div class="panel">{map_html}</div></div>'
            f"{region_table(indicator, year, w)}</section>")


def profile_section(data: ReportData, words: Words) -> str:
    w = words
    code = data.profile_gemeente
    name = data.gemeente_names.get(code, code)
    head = "".join(f"<th>{escape(w.t(key))}</th>" for key in (
        "indicator", "unit", "value_plain", "ci_plain", "nederland", "compared", "trend", "pooled"))
    rows = []
    for r in data.profile or []:
        if r["suppressed"] or r["value"] is None:
            value = f'<td colspan="2">{_withheld(r["suppression_reason"], w)}</td>'
        else:
            value = (f'<td class="num">{w.figure(r["value"])}</td>'
                     f'<td class="num">{w.interval(r["ci95_lower"], r["ci95_upper"])}</td>')
        if r["pooled_period"] is None:
            pooled = ""
        elif r["pooled_suppressed"] or r["pooled_value"] is None:
            pooled = f'{r["pooled_period"]}: <span class="withheld">{escape(w.t("withheld"))}</span>'
        else:
            pooled = f'{r["pooled_period"]}: {w.figure(r["pooled_value"])} {badge(r["pooled_compared_to_nl"], w)}'
        rows.append(f'<tr data-indicator="{r["indicator_code"]}"><td><a href="#ind-{r["indicator_code"]}">'
                    f'{escape(w.indicator_name(r))}</a></td><td>{escape(r["unit"])}</td>{value}'
                    f'<td class="num">{w.figure(r["nl_value"])}</td><td>{badge(r["compared_to_nl"], w)}</td>'
                    f'<td>{escape(w.trend(r["trend"]))}</td><td>{pooled}</td></tr>')
    title = w.t("profile_title", name=name, code=code, year=data.year)
    return f'<section id="profile"><h2>{escape(title)}</h2><table><tr>{head}</tr>{"".join(rows)}</table></section>'


def contents(data: ReportData, words: Words) -> str:
    """The indicators by phase, as the site's overview lists them."""
    groups: dict[str | None, list[str]] = {}
    for i in data.indicators:
        groups.setdefault(i.phase, []).append(f'<li><a href="#ind-{i.code}">{escape(i.name(words))}</a></li>')
    return "".join(f"<h3>{escape(words.phases.get(phase or '', phase or ''))}</h3><ul>{''.join(items)}</ul>"
                   for phase, items in groups.items())


def render_page(data: ReportData, shapes: list[Shape] | None, size: tuple[float, float], map_note: str,
                words: Words = NL) -> str:
    w = words
    title = w.t("title", year=data.year)
    sections = "".join(indicator_section(i, data.year, shapes, size, data.gemeente_names, map_note, w)
                       for i in data.indicators)
    profile = profile_section(data, w) if data.profile_gemeente else ""
    generated = dt.datetime.now(dt.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    legend = " ".join(badge(c, w) for c in ("better", "similar", "worse"))
    intro = escape(w.t("report_intro", legend="\0")).replace("\0", legend)
    banner = f'<p class="demo" role="alert" style="{DEMO_STYLE}">{escape(w.t("demo"))}</p>' if data.synthetic else ""
    release = w.t("release", year=data.year, version=data.version, released_at=data.released_at,
                  classification=data.classification_year, indicators=w.indicator_count(len(data.indicators)))
    return f"""<!DOCTYPE html>
<html lang="{w.lang}"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>{escape(title)}</title><style>{CSS}</style></head>
<body>{PATTERN_DEFS}
<header><h1>{escape(title)}</h1>{banner}
<p class="meta">{escape(release)}</p></header>
<main>
<p>{intro}</p>
{profile}
<nav><h2>{escape(w.t("nav_indicators"))}</h2>{contents(data, w)}</nav>
{sections}
</main>
<footer><p class="meta">{escape(w.t("generated", when=generated))}</p></footer>
</body></html>
"""
