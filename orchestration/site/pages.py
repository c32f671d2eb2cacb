"""The site's pages as HTML text: overview (tartan rug), indicator pages, area profiles and the
list of areas. Inline CSS, SVG and script only: no external URL, so the site opens offline."""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from html import escape

from orchestration.report.charts import bar_chart, trend_chart
from orchestration.report.geo import Shape
from orchestration.report.html import CSS as REPORT_CSS
from orchestration.report.html import badge
from orchestration.report.maps import PATTERN_DEFS, choropleth, locator_map
from orchestration.report.scales import COMPARISON
from orchestration.site.data import NEDERLAND, Area, Indicator, SiteData
from orchestration.site.downloads import download_name
from orchestration.site.funnel import funnel_comparison
from orchestration.site.spine import spine_row
from orchestration.site.text import TEXT

CSS = REPORT_CSS + """
.demo{background:#fff3cd;border:2px solid #c00000;color:#5c1a00;font-weight:600;padding:8px 12px;margin:10px 0}
header nav a{margin-right:14px}header nav{margin-top:6px}
table.rug{font-size:12px}table.rug th.area{writing-mode:vertical-rl;transform:rotate(180deg);white-space:nowrap;
font-weight:normal;padding:4px 2px;vertical-align:bottom}table.rug td.cell{text-align:center;min-width:34px;padding:2px 3px;
border:1px solid #fff}table.rug td.cell a{color:inherit;text-decoration:none}
td.withheld-cell{background:repeating-linear-gradient(45deg,#e6e6e6 0 3px,#c8c8c8 3px 5px)}
tr.phase th{background:#eef2f6;text-align:left;padding-top:8px}
svg.spine .nl{stroke:#1f2933;stroke-width:1.5}svg.spine .spine-marker{stroke:#1f2933;stroke-width:1}
svg.map path.selected{stroke:#000;stroke-width:2}svg.map.locator path{stroke:#fff;stroke-width:.4}
svg.map.locator path.selected{stroke:#000;stroke-width:1.6}
svg.chart .line.area{stroke:#c05600;stroke-dasharray:5 3}svg.chart .point.area{fill:#c05600}
svg.chart .key text{font-size:11px;fill:#1f2933}svg.chart .bar{fill:#6baed6}
svg.chart .whisker{stroke:#1f2933;stroke-width:1.2;fill:none}svg.chart .reference{stroke:#c00000;stroke-dasharray:4 3}
svg.chart .withheld{font-size:11px;fill:#7b8794;font-style:italic}
.trends{display:flex;flex-wrap:wrap;gap:10px}.trends figure{margin:0}.trends figcaption{font-size:12px;max-width:440px}
form.search input{font-size:14px;padding:4px 6px;width:280px}#search-note{font-weight:600}
span.ww{font-weight:700;color:#c00000;margin-left:2px}td.cell span.ww{color:inherit}
ul.areas{columns:4;font-size:13px}header,main,footer{max-width:1240px}.map-panel{max-width:480px}p.downloads{font-size:13px}
"""


@dataclass(frozen=True)
class Maps:
    shapes: list[Shape] | None
    size: tuple[float, float]


class Site:
    """Renders every page of one release in one language."""

    def __init__(self, data: SiteData, maps: Maps, generated: str | None = None, with_downloads: bool = True):
        self.data, self.maps, self.words = data, maps, data.words
        self.with_downloads = with_downloads
        self.text = TEXT[data.words.lang]
        self.generated = generated or dt.datetime.now(dt.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
        self.gemeenten = data.of_level("gemeente")
        self.ggds = data.of_level("ggd_regio")
        self.names = {a.code: a.name for a in self.gemeenten}

    def t(self, key: str, **values) -> str:
        return self.text[key].format(**values) if values else self.text[key]

    # ------------------------------------------------------------ shared pieces

    @staticmethod
    def href(area: Area | str, root: str) -> str:
        code = area if isinstance(area, str) else area.code
        folder = "ggd" if code.startswith("GG") else "gemeente"
        return f"{root}{folder}/{code}.html"

    def page(self, title: str, body: str, root: str) -> str:
        d = self.data
        banner = f'<p class="demo" role="alert">{escape(self.t("demo"))}</p>' if d.synthetic else ""
        nav = (f'<nav><a href="{root}index.html">{escape(self.t("nav_overview"))}</a>'
               f'<a href="{root}gebieden.html">{escape(self.t("nav_areas"))}</a></nav>')
        release = self.t("release", year=d.year, version=d.version, released_at=d.released_at,
                         classification=d.classification_year,
                         indicators=self.words.indicator_count(len(d.indicators)))
        return (f'<!DOCTYPE html>\n<html lang="{self.words.lang}"><head><meta charset="utf-8">'
                f'<meta name="viewport" content="width=device-width, initial-scale=1"><title>{escape(title)}</title>'
                f"<style>{CSS}</style></head><body>{PATTERN_DEFS}"
                f'<header><p class="meta">{escape(self.t("title", year=d.year))}</p><h1>{escape(title)}</h1>'
                f'{banner}<p class="meta">{escape(release)}</p>{nav}</header><main>{body}</main>'
                f'<footer><p class="meta">{escape(self.t("generated", when=self.generated))}</p></footer></body></html>\n')

    def withheld(self, row: dict | None) -> str:
        if row is None:
            return f'<span class="withheld">{escape(self.words.t("no_figure"))}</span>'
        return f'<span class="withheld">{escape(self.words.withheld(row["suppression_reason"]))}</span>'

    def badge(self, comparison: str | None) -> str:
        return badge(comparison, self.words)

    def value_cells(self, row: dict | None, unit: str, counts: bool = True) -> str:
        """Value, interval (and counts); a withheld row shows why, never a number."""
        span = 3 if counts else 2
        if row is None or row["suppressed"] or row["value"] is None:
            return f'<td colspan="{span}">{self.withheld(row)}</td>'
        w = self.words
        cells = (f'<td class="num">{w.figure(row["value"])}</td>'
                 f'<td class="num">{w.interval(row["ci95_lower"], row["ci95_upper"])}</td>')
        if counts:
            cells += f'<td class="num">{w.count(row["numerator"])} / {w.count(row["denominator"])}</td>'
        return cells

    def number(self, row: dict | None, unit: str) -> str:
        """The bare number (the unit is in the column header)."""
        if row is None or row["suppressed"] or row["value"] is None:
            return ""
        return self.words.figure(row["value"])

    def search_box(self, root: str) -> str:
        entries = {}
        for area in self.gemeenten:
            target = {"url": self.href(area, root), "name": area.name}
            entries[area.code.lower()] = target
            entries[area.code[2:].lstrip("0").lower()] = target
            entries[area.name.lower()] = target
        for old, old_name, note, url in self.merged_codes(root):
            for key in (old.lower(), old[2:].lstrip("0"), (old_name or old).lower()):
                entries.setdefault(key, {"url": url, "note": note})
        names = "".join(f'<option value="{escape(a.name)}">' for a in self.gemeenten)
        # a hit goes to the profile; an old code shows the note with a link; ?q=... searches on load
        script = ("const AREAS=" + json.dumps(entries, ensure_ascii=False).replace("</", "<\\/") + ";"
                  "const NONE=" + json.dumps(self.t("search_none", query="{q}")) + ";"
                  "function findArea(q){q=q.trim().toLowerCase();"
                  "return AREAS[q]||AREAS[q.replace(/^gm0*/,'')]||null}"
                  "function go(q){const hit=findArea(q);const note=document.getElementById('search-note');"
                  "note.textContent='';if(!hit){note.textContent=NONE.replace('{q}',q);return}"
                  "if(hit.note){const a=document.createElement('a');a.href=hit.url;a.textContent=hit.note;"
                  "note.appendChild(a);return}window.location.href=hit.url}"
                  "document.getElementById('search').addEventListener('submit',function(e){e.preventDefault();"
                  "go(document.getElementById('search-input').value)});"
                  "const asked=new URLSearchParams(window.location.search).get('q');"
                  "if(asked){document.getElementById('search-input').value=asked;go(asked)}")
        return (f'<form class="search" id="search" role="search"><label for="search-input">'
                f'{escape(self.t("search_label"))}</label> <input id="search-input" list="gemeente-names" '
                f'autocomplete="off"> <button type="submit">{escape(self.t("search_button"))}</button>'
                f'<datalist id="gemeente-names">{names}</datalist></form><p id="search-note"></p>'
                f"<script>{script}</script>")

    def merged_codes(self, root: str) -> list[tuple[str, str, str, str]]:
        """(old code, old name, note, url of its successor) for every gemeente code that no longer exists,
        following chains of mergers to the release's classification."""
        successors: dict[str, list[dict]] = {}
        for m in self.data.mergers:
            successors.setdefault(m["old_code"], []).append(m)
        found = []
        for old, moves in successors.items():
            if old in self.names:
                continue
            current: dict[str, float] = {}
            for move in moves:
                code, share, seen = move["new_code"], move["allocation_share"] or 1.0, {old}
                while code not in self.names and code in successors and code not in seen:
                    seen.add(code)
                    code = max(successors[code], key=lambda m: m["allocation_share"] or 1.0)["new_code"]
                if code in self.names:
                    current[code] = current.get(code, 0.0) + share
            if not current:
                continue
            first = moves[0]
            main = max(current, key=current.get)
            if len(current) == 1:
                note = self.t("merged", old_code=old, old_name=first["old_name"], year=first["classification_year"],
                              new_name=self.names[main], new_code=main)
            else:
                note = self.t("merged_split", old_code=old, old_name=first["old_name"],
                              year=first["classification_year"],
                              new_names=", ".join(f"{self.names[c]} ({c})" for c in sorted(current)))
            found.append((old, first["old_name"], note, self.href(main, root)))
        return found

    def downloads(self, code: str, root: str) -> str:
        if not self.with_downloads:
            return ""
        year = self.data.year
        csv_link = f'<a href="{root}{download_name(code, year, "csv")}" download>CSV</a>'
        xlsx_link = f'<a href="{root}{download_name(code, year, "xlsx")}" download>Excel</a>'
        return f'<p class="downloads">{self.t("downloads", year=year, csv=csv_link, xlsx=xlsx_link)}</p>'

    # ------------------------------------------------------------ overview

    def overview(self) -> str:
        d, w, root = self.data, self.words, ""
        head = (f'<tr><th>{escape(self.t("indicator"))}</th><th>{escape(self.t("unit"))}</th>'
                f'<th class="area">{escape(self.t("nederland"))}</th>'
                + "".join(f'<th class="area"><a href="{self.href(g, root)}">{escape(g.name)}</a></th>' for g in self.ggds)
                + "</tr>")
        rows, phase = [], None
        for ind in d.indicators:
            if ind.phase != phase:
                phase = ind.phase
                rows.append(f'<tr class="phase"><th colspan="{len(self.ggds) + 3}">'
                            f'{escape(w.phases.get(phase, phase or ""))}</th></tr>')
            nl = d.row(ind.code, NEDERLAND, str(d.year))
            cells = [f'<td class="cell" style="background:#f5f7fa">{self.number(nl, ind.unit)}</td>']
            for g in self.ggds:
                cells.append(self.rug_cell(ind, g, root))
            rows.append(f'<tr data-indicator="{ind.code}"><td><a href="indicator/{ind.code}.html">{escape(ind.name)}</a>'
                        f'</td><td>{escape(ind.unit)}</td>{"".join(cells)}</tr>')
        body = (f"<p>{escape(self.t('overview_intro', year=d.year))} {escape(self.t('ww_legend'))}</p>"
                f"{self.search_box(root)}"
                f'<table class="rug">{head}{"".join(rows)}</table>{self.changes()}')
        return self.page(self.t("title", year=d.year), body, root)

    def changes(self) -> str:
        """What changed in the figures since the previous version of the year (releases.changes)."""
        d, changes = self.data, self.data.changes
        title = f'<h2>{escape(self.t("changes_title", version=d.version))}</h2>'
        if not changes or changes.get("first_release"):
            return f'{title}<p class="changes">{escape(self.t("changes_first", year=d.year))}</p>'
        names = {i.code: i.name for i in d.indicators}
        items = []
        for code, moved in sorted((changes.get("indicators") or {}).items(), key=lambda kv: names.get(kv[0], kv[0])):
            items.append(f"<li>{escape(names.get(code, code))}: " + escape(self.t(
                "changes_indicator", changed=self.words.count(moved.get("values_changed", 0)),
                added=self.words.count(moved.get("rows_added", 0)), removed=self.words.count(moved.get("rows_removed", 0))))
                + (f" {escape(self.t('changes_cells', withheld=self.words.count(moved['cells_newly_withheld']), published=self.words.count(moved['cells_newly_published'])))}"
                   if moved.get("cells_newly_withheld") or moved.get("cells_newly_published") else "")
                + (f" {escape(self.t('changes_national'))}" if moved.get("national_value_changed") else "") + "</li>")
        if changes.get("classification"):
            items.append(f"<li>{escape(self.t('changes_classification', change=changes['classification']))}</li>")
        inputs = changes.get("inputs_changed") or []
        if inputs:
            items.append(f"<li>{escape(self.t('changes_inputs'))} " + ", ".join(f"<code>{escape(i)}</code>" for i in inputs)
                         + "</li>")
        if not items:
            return f'{title}<p class="changes">{escape(self.t("changes_none"))}</p>'
        return f'{title}<ul class="changes">{"".join(items)}</ul>'

    def rug_cell(self, ind: Indicator, area: Area, root: str) -> str:
        row = self.data.row(ind.code, area.code, str(self.data.year))
        link = f'{root}indicator/{ind.code}.html'
        if row is None or row["suppressed"] or row["value"] is None:
            tip = f"{area.name}: " + (self.words.t("no_figure") if row is None else
                                      self.words.withheld(row["suppression_reason"]))
            return (f'<td class="cell withheld-cell" data-region="{area.code}" data-comparison="withheld" '
                    f'title="{escape(tip)}"></td>')
        comparison = row["compared_to_nl"] or "none"
        colour = COMPARISON.get(comparison, "#ffffff")
        text_colour = "#fff" if comparison in ("worse", "lower") else "#1f2933"
        tip = f"{area.name}: {self.words.value(row['value'], ind.unit)}, {self.words.comparison(comparison)}"
        flag = ""
        if row.get("worse_and_worsening"):
            tip += f", {self.t('worse_and_worsening')}"
            flag = ' data-worse-and-worsening="true"'
        return (f'<td class="cell" data-region="{area.code}" data-comparison="{escape(comparison)}"{flag} '
                f'style="background:{colour};color:{text_colour}" title="{escape(tip)}">'
                f'<a href="{link}">{self.number(row, ind.unit)}</a>{self.worsening_mark(row)}</td>')

    def worsening_mark(self, row: dict | None) -> str:
        """The mark of a row that is worse than Nederland and getting worse (the mart's flag)."""
        if not row or not row.get("worse_and_worsening"):
            return ""
        label = escape(self.t("worse_and_worsening"))
        return f'<span class="ww" title="{label}" aria-label="{label}">!</span>'


    # ------------------------------------------------------------ indicator pages

    def region_table(self, ind: Indicator, areas: list[Area], period: str, caption: str, root: str,
                     with_nl: bool = True) -> str:
        unit = escape(ind.unit)
        head = (f'<tr><th>{escape(self.t("region"))}</th><th>{escape(self.t("value", unit=ind.unit))}</th>'
                f'<th>{escape(self.t("ci", unit=ind.unit))}</th><th>{escape(self.t("counts"))}</th>'
                f'<th>{escape(self.t("compared"))}</th><th>{escape(self.t("trend"))}</th></tr>')
        rows = []
        if with_nl:
            nl = self.data.row(ind.code, NEDERLAND, period)
            rows.append(f'<tr class="nl"><td>{escape(self.t("nederland"))}</td>{self.value_cells(nl, ind.unit)}'
                        f'<td></td><td>{escape(self.words.trend(nl["trend"]) if nl else "")}</td></tr>')
        for area in areas:
            row = self.data.row(ind.code, area.code, period)
            name = (f'<a href="{self.href(area, root)}">{escape(area.name)}</a>' if area.level in ("gemeente", "ggd_regio")
                    else escape(area.name))
            rows.append(f'<tr data-region="{area.code}"><td>{name}</td>{self.value_cells(row, ind.unit)}'
                        f'<td>{self.badge(row["compared_to_nl"] if row else None)}</td>'
                        f'<td>{escape(self.words.trend(row["trend"]) if row else "")}</td></tr>')
        return f'<table class="regions" data-unit="{unit}"><caption class="meta">{escape(caption)}</caption>{head}{"".join(rows)}</table>'

    def gemeente_map(self, ind: Indicator, period: str, root: str, selected: set[str] = frozenset()) -> str:
        rows = {a.code: r for a in self.gemeenten if (r := self.data.row(ind.code, a.code, period)) is not None}
        title = f'<h3>{escape(self.t("map_title", period=period))}</h3>'
        if not self.maps.shapes:
            return f'{title}<p class="note">{self.t("map_none", year=self.data.classification_year)}</p>'
        published = sum(1 for r in rows.values() if not r["suppressed"] and r["value"] is not None)
        if published < len(self.gemeenten) / 2:
            return self.ggd_map(ind, published, len(rows), root) if published or rows else \
                f'{title}<p class="note">{escape(self.t("map_all_withheld"))}</p>'
        links = {a.code: self.href(a, root) for a in self.gemeenten}
        svg, legend = choropleth(self.maps.shapes, *self.maps.size, rows, self.names, ind.unit,
                                 f"{ind.name}: {period}", self.words, colour_by="comparison", selected=selected,
                                 links=links)
        nl = self.data.row(ind.code, NEDERLAND, period)
        nl_value = nl["value"] if nl and not nl["suppressed"] else None
        funnel_rows = {code: {**r, "compared_to_nl": funnel_comparison(r, nl_value, ind.unit, ind.multiplier,
                                                                       ind.polarity)} for code, r in rows.items()}
        funnel_svg, funnel_legend = choropleth(self.maps.shapes, *self.maps.size, funnel_rows, self.names, ind.unit,
                                               f"{ind.name}: {period}, {self.t('funnel_title')}", self.words,
                                               colour_by="comparison", selected=selected, links=links)
        return (f"{title}{svg}{legend}<p class=\"meta\">"
                f"{escape(self.t('map_published', published=published, total=len(rows)))}</p>"
                f'<details class="funnel"><summary>{escape(self.t("funnel_title"))}</summary>'
                f'<p class="meta">{escape(self.t("funnel_note"))}</p>{funnel_svg}{funnel_legend}</details>')

    def ggd_map(self, ind: Indicator, published: int, total: int, root: str) -> str:
        """Where most gemeenten are withheld: every gemeente in the colour of its GGD-regio."""
        year = str(self.data.year)
        rows, names, links = {}, {}, {}
        for g in self.gemeenten:
            ggd = self.data.areas.get(g.ggd_code or "")
            row = self.data.row(ind.code, g.ggd_code or "", year)
            if ggd is None or row is None:
                continue
            rows[g.code], names[g.code], links[g.code] = row, ggd.name, self.href(ggd, root)
        svg, legend = choropleth(self.maps.shapes, *self.maps.size, rows, names, ind.unit, f"{ind.name}: {year}",
                                 self.words, colour_by="comparison", links=links, with_code=False)
        return (f'<h3>{escape(self.t("map_ggd_title", year=year))}</h3>{svg}{legend}<p class="meta">'
                f"{escape(self.t('map_ggd_note', published=published, total=total))}</p>")

    def breakdown_charts(self, ind: Indicator) -> str:
        rows = self.data.breakdowns.get(ind.code, [])
        if not rows:
            return f'<p class="note">{escape(self.t("no_breakdowns"))}</p>'
        nl = self.data.row(ind.code, NEDERLAND, str(self.data.year))
        reference = nl["value"] if nl and not nl["suppressed"] else None
        parts = []
        for breakdown in dict.fromkeys(r["breakdown"] for r in rows):
            bars = [r for r in rows if r["breakdown"] == breakdown]
            name = self.words.breakdowns.get(breakdown, breakdown)
            parts.append(f'<figure class="breakdown" data-breakdown="{escape(breakdown)}"><figcaption><strong>'
                         f"{escape(name)}</strong> ({escape(ind.unit)})</figcaption>"
                         f"{bar_chart(bars, ind.unit, f'{ind.name}: {name}', self.words, reference, self.t('nederland'))}"
                         f"{self.inequality_note(ind, breakdown)}</figure>")
        return f'<div class="trends">{"".join(parts)}</div>'

    def inequality_note(self, ind: Indicator, breakdown: str) -> str:
        """Under the bars of a breakdown, Nederland's slope index of inequality over it (if any)."""
        row = self.data.inequality.get((ind.code, breakdown))
        if row is None:
            return ""
        w = self.words
        if row["suppressed"] or row["value"] is None:
            text = self.t("sii_withheld")
        else:
            unit = self.t("sii_unit_percent") if ind.unit == "%" else ind.unit
            text = self.t("sii", value=f"{w.figure(row['value'])} {unit}", lower=w.figure(row["ci95_lower"]),
                          upper=w.figure(row["ci95_upper"]))
        return f'<p class="sii meta" data-breakdown="sii">{escape(text)}</p>'

    def indicator_page(self, ind: Indicator) -> str:
        d, w, root = self.data, self.words, "../"
        year = str(d.year)
        nl = d.row(ind.code, NEDERLAND, year)
        if nl is None:
            summary = ""
        elif nl["suppressed"] or nl["value"] is None:
            summary = f"<p>{escape(self.t('nederland'))} {year}: {self.withheld(nl)}</p>"
        else:
            summary = f"<p>{w.nl_summary(year, nl, ind.unit)}</p>"
        chart = trend_chart(d.series(ind.code, NEDERLAND), ind.unit, f"{ind.name}: {self.t('nl_by_year')}", w)
        provincies = d.of_level("provincie")
        body = (f'<section class="indicator" data-indicator="{ind.code}">'
                f'<p class="definition">{escape(w.phases.get(ind.phase, ""))}. {escape(ind.definition)}</p>'
                + (f'<p class="note quality-note">{escape(ind.quality_note)}</p>' if ind.quality_note else "")
                + f'{summary}'
                f"{self.downloads(ind.code, root)}"
                f'<div class="row"><div class="panel"><h3>{escape(self.t("nl_by_year"))}</h3>{chart}</div>'
                f'<div class="panel map-panel">{self.gemeente_map(ind, ind.map_period, root)}</div></div>'
                f'<h2>{escape(self.t("breakdowns", year=year))}</h2>{self.breakdown_charts(ind)}'
                f'<h2>{escape(self.t("ggd_table", year=year))}</h2>'
                f"{self.region_table(ind, self.ggds, year, self.t('ggd_table', year=year), root)}"
                f"{self.region_table(ind, provincies, year, self.t('provincie_table', year=year), root, False)}"
                f'<details><summary>{escape(self.t("gemeenten_table", period=ind.map_period))}</summary>'
                f"{self.region_table(ind, self.gemeenten, ind.map_period, self.t('gemeenten_table', period=ind.map_period), root)}"
                "</details></section>")
        return self.page(f"{ind.name} ({ind.unit})", body, root)

    # ------------------------------------------------------------ area profiles

    def spine_table(self, area: Area) -> str:
        d, w, root = self.data, self.words, "../"
        peers = self.gemeenten if area.level == "gemeente" else self.ggds
        range_head = self.t("range") if area.level == "gemeente" else self.t("range_ggd")
        # benchmarks besides Nederland, with the mart's comparison: a gemeente's GGD-regio and
        # provincie, a GGD-regio's provincie
        if area.level == "gemeente":
            candidates = [(area.ggd_code, "compared_to_parent"), (area.provincie_code, "compared_to_provincie")]
        else:
            candidates = [(area.provincie_code, "compared_to_parent")]
        parents = [(b, column) for code, column in candidates if (b := d.areas.get(code or "")) is not None]
        head = (f'<tr><th>{escape(self.t("indicator"))}</th><th>{escape(self.t("unit"))}</th>'
                f'<th>{escape(self.t("period"))}</th><th>{escape(self.t("value_plain"))}</th>'
                f'<th>{escape(self.t("ci_plain"))}</th><th>{escape(self.t("nederland"))}</th>'
                + "".join(f"<th>{escape(self.benchmark_name(b))}</th>" for b, _ in parents) +
                f'<th>{escape(self.t("compared"))}</th><th>{escape(self.t("trend"))}</th>'
                f"<th>{escape(range_head)}</th></tr>")
        rows, phase = [], None
        for ind in d.indicators:
            if ind.phase != phase:
                phase = ind.phase
                rows.append(f'<tr class="phase"><th colspan="{9 + len(parents)}">{escape(w.phases.get(phase, phase or ""))}</th></tr>')
            period = d.period_for(ind, area.level)
            row = d.row(ind.code, area.code, period)
            nl = d.row(ind.code, NEDERLAND, period)
            values = [r["value"] for p in peers if (r := d.row(ind.code, p.code, period)) is not None
                      and not r["suppressed"] and r["value"] is not None]
            nl_value = nl["value"] if nl and not nl["suppressed"] else None
            spine = spine_row(ind.code, values, nl_value, row, ind.polarity, ind.unit, w, f"{ind.name}: {area.name}")
            trend = row["trend"] if row else None
            rows.append(f'<tr data-indicator="{ind.code}"><td><a href="{root}indicator/{ind.code}.html">'
                        f"{escape(ind.name)}</a></td><td>{escape(ind.unit)}</td><td>{escape(period)}</td>"
                        f"{self.value_cells(row, ind.unit, counts=False)}<td class=\"num\">{self.number(nl, ind.unit)}</td>"
                        + "".join(f'<td class="num">{self.number(d.row(ind.code, b.code, period), ind.unit)} '
                                  f"{self.badge(row.get(column) if row else None)}</td>" for b, column in parents) +
                        f"<td>{self.badge(row['compared_to_nl'] if row else None)}</td>"
                        f"<td>{escape(w.trend(trend)) if trend else ''}{self.worsening_mark(row)}</td>"
                        f"<td>{spine}</td></tr>")
        level = self.t(f"level_{area.level}")
        return (f"<p>{escape(self.t('spine_intro', name=area.name, level=level))}</p>"
                f'<table class="spine-table">{head}{"".join(rows)}</table>')

    def benchmark_name(self, area: Area) -> str:
        return self.t("provincie_name", name=area.name) if area.level == "provincie" else area.name

    def trends(self, area: Area) -> str:
        d, w = self.data, self.words
        figures = []
        for ind in d.indicators:
            area_rows = d.series(ind.code, area.code)
            chart = trend_chart(d.series(ind.code, NEDERLAND), ind.unit, f"{ind.name}: {area.name}, Nederland", w,
                                area_rows=area_rows, area_name=area.name)
            figures.append(f'<figure data-indicator="{ind.code}"><figcaption>{escape(ind.name)} ({escape(ind.unit)})'
                           f"</figcaption>{chart}</figure>")
        return f'<h2>{escape(self.t("trends_title", name=area.name))}</h2><div class="trends">{"".join(figures)}</div>'

    def profile_page(self, area: Area) -> str:
        root = "../"
        if area.level == "gemeente":
            selected = {area.code}
            ggd = self.data.areas.get(area.ggd_code or "")
            ggd_link = (f'<a href="{self.href(ggd, root)}">{escape(ggd.name)}</a>' if ggd else escape(area.ggd_name or ""))
            intro = self.t("gemeente_in", ggd="\0", provincie=escape(area.provincie_name or "")).replace("\0", ggd_link)
            members = ""
        else:
            selected = {g.code for g in self.gemeenten if g.ggd_code == area.code}
            intro = escape(self.t("ggd_of", count=len(selected)))
            members = (f'<h2>{escape(self.t("gemeenten_of", name=area.name))}</h2><ul class="areas">'
                       + "".join(f'<li><a href="{self.href(g, root)}">{escape(g.name)}</a></li>'
                                 for g in self.gemeenten if g.code in selected) + "</ul>")
        if self.maps.shapes:
            links = {g.code: self.href(g, root) for g in self.gemeenten}
            locator = locator_map(self.maps.shapes, *self.maps.size, self.names,
                                  self.t("locator", name=area.name), selected, links)
        else:
            locator = f'<p class="note">{self.t("map_none", year=self.data.classification_year)}</p>'
        body = (f'<section class="profile" data-area="{area.code}" data-level="{area.level}"><p>{intro}</p>'
                f"{self.downloads(area.code, root)}"
                f'<div class="row"><div class="panel">{self.spine_table(area)}</div>'
                f'<div class="panel map-panel"><h3>{escape(self.t("locator", name=area.name))}</h3>{locator}</div></div>'
                f"{members}{self.trends(area)}</section>")
        return self.page(self.t("profile_of", name=f"{area.name} ({area.code})", year=self.data.year), body, root)

    # ------------------------------------------------------------ list of areas

    def areas_page(self) -> str:
        root = ""
        def items(areas):
            return "".join(f'<li><a href="{self.href(a, root)}">{escape(a.name)}</a> <small class="meta">{a.code}'
                           "</small></li>" for a in areas)
        body = (f"{self.search_box(root)}<h2>{escape(self.t('ggd_regios'))}</h2><ul class=\"areas\">{items(self.ggds)}</ul>"
                f"<h2>{escape(self.t('gemeenten'))}</h2><ul class=\"areas\">{items(self.gemeenten)}</ul>")
        return self.page(self.t("all_areas"), body, root)
