"""`ksm site` on the released tiny year: every page there, self-contained, Dutch by default,
one indicator order, spine charts, outlined areas, the search with merged codes."""

from __future__ import annotations

import contextlib
import csv
import io
import json
import re
from html.parser import HTMLParser
from pathlib import Path

import duckdb
import pytest

from orchestration.cli import main
from orchestration.report.i18n import EN, NL
from test_analyst import write_geojson
from tiny_inbox import YEAR


class Page(HTMLParser):
    """Links, map paths, spine markers, indicator rows and visible text of one page."""

    def __init__(self):
        super().__init__()
        self.links, self.paths, self.markers, self.rows, self.text = [], [], [], [], []
        self.script, self._in_script = [], False
        self.lang = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "html":
            self.lang = attrs.get("lang")
        for key in ("href", "src"):
            if attrs.get(key):
                self.links.append(attrs[key])
        if tag == "path" and "data-gemeente" in attrs:
            self.paths.append(attrs)
        if tag == "circle" and "spine-marker" in (attrs.get("class") or ""):
            self.markers.append(attrs)
        if tag == "tr" and "data-indicator" in attrs:
            self.rows.append(attrs["data-indicator"])
        self._in_script = tag == "script"

    def handle_endtag(self, tag):
        if tag == "script":
            self._in_script = False

    def handle_data(self, data):
        (self.script if self._in_script else self.text).append(data)


def parse(path: Path) -> Page:
    page = Page()
    page.feed(path.read_text(encoding="utf-8"))
    return page


@pytest.fixture(scope="module")
def site(released, tmp_path_factory):
    """The Dutch site of the tiny year, with a grid of the 342 gemeenten as boundaries."""
    from orchestration.site import build_site

    folder = tmp_path_factory.mktemp("site")
    with contextlib.closing(duckdb.connect(str(released[0].published), read_only=True)) as con:
        codes = [r[0] for r in con.execute("SELECT region_code FROM regions WHERE classification_year = 2024 "
                                           "AND region_level = 'gemeente' ORDER BY 1").fetchall()]
        ggds = [r[0] for r in con.execute("SELECT region_code FROM regions WHERE classification_year = 2024 "
                                          "AND region_level = 'ggd_regio' ORDER BY 1").fetchall()]
        indicators = [r[0] for r in con.execute(
            "SELECT DISTINCT indicator_code FROM indicator_values WHERE year_to = ?", [YEAR]).fetchall()]
    lines = []
    out = build_site(released[0], YEAR, out=folder / "site", boundaries=write_geojson(folder / "grid.geojson", codes),
                     progress=lines.append)
    return out, codes, ggds, indicators, lines


def test_site_has_every_page_and_says_how_far_it_is(site):
    out, codes, ggds, indicators, lines = site
    assert (len(codes), len(ggds)) == (342, 25)
    assert sorted(p.stem for p in (out / "gemeente").glob("*.html")) == codes
    assert sorted(p.stem for p in (out / "ggd").glob("*.html")) == ggds
    assert sorted(p.stem for p in (out / "indicator").glob("*.html")) == sorted(indicators)
    assert (out / "index.html").exists() and (out / "gebieden.html").exists()
    total = 2 + len(indicators) + len(codes) + len(ggds)
    assert f"  {total}/{total} pages" in lines and any(line.startswith("  50/") for line in lines)
    assert not list(out.parent.glob(".site.tmp-*")), "the staging folder was left behind"


def test_downloads_per_indicator_and_area_in_the_dutch_convention(site):
    out, codes, ggds, indicators, lines = site
    files = sorted(p.name for p in (out / "downloads").iterdir())
    assert files == sorted(f"{key}_{YEAR}.{fmt}" for key in [*indicators, *codes, *ggds] for fmt in ("csv", "xlsx"))
    assert f"  {len(files)}/{len(files)} downloads (CSV and Excel)" in lines
    raw = (out / "downloads" / f"GM0363_{YEAR}.csv").read_bytes()
    assert raw.startswith(b"\xef\xbb\xbfindicator_code;region_code;")
    rows = list(csv.DictReader(io.StringIO(raw.decode("utf-8-sig")), delimiter=";"))
    assert {r["region_code"] for r in rows} == {"GM0363"} and {r["breakdown"] for r in rows} > {"total"}
    [big2] = [r for r in rows if r["indicator_code"] == "big2" and r["breakdown"] == "total" and r["period"] == str(YEAR)]
    assert big2["value"] == "48,0" or big2["value"].startswith("48,")
    page = parse(out / "indicator" / "big2.html")
    assert f"../downloads/big2_{YEAR}.csv" in page.links and f"../downloads/big2_{YEAR}.xlsx" in page.links


def test_site_is_self_contained_and_its_links_resolve(site):
    out = site[0]
    for name in ("index.html", "gebieden.html", "gemeente/GM0363.html", "ggd/GG3406.html", "indicator/big2.html"):
        page = parse(out / name)
        html = (out / name).read_text(encoding="utf-8")
        assert not re.search(r"(?:https?:)?//[a-z]", html.replace("http://www.w3.org", "")), name
        for link in page.links:
            target = (out / name).parent / link.split("#")[0]
            assert target.resolve().is_file(), f"{name}: broken link {link}"


def test_site_is_dutch_with_decimal_commas_and_units_in_the_headers(site):
    out = site[0]
    page = parse(out / "indicator" / "big2.html")
    text = " ".join(page.text)
    assert page.lang == "nl"
    assert "Waarde (%)" in text and "95%-BI (%)" in text and "Vergeleken met Nederland" in text
    assert "Big2 (vroeggeboorte en/of laag geboortegewicht)" in text
    # the definition in Dutch, from the indicators' definition_nl
    html = (out / "indicator" / "big2.html").read_text(encoding="utf-8")
    definition = re.search(r'<p class="definition">(.*?)</p>', html)
    assert definition.group(1).startswith("Tijdens de zwangerschap. Aandeel geboorten met vroeggeboorte")
    assert "Share of births" not in text and f"; {len(site[3])} indicatoren." in text
    # Nederland without an interval (a census of gemeenten): no empty brackets
    for page_file in (out / "indicator").glob("*.html"):
        assert "95%-BI )" not in page_file.read_text(encoding="utf-8"), page_file.name
    # Amsterdam 2020 on the 2024 classification: 24 of 50 births (tiny_inbox) = 48,0%
    assert re.search(r'data-region="GG3406">.*?>48,0<', (out / "indicator" / "big2.html").read_text(encoding="utf-8"))
    profile = " ".join(parse(out / "gemeente" / "GM0363.html").text)
    assert "Amsterdam (GM0363): profiel 2020" in profile and "48,0" in profile and "48.0" not in profile
    assert re.search(r"\b(gelijk|beter|slechter)\b", profile)


def test_profile_compares_with_ggd_regio_and_provincie_too(site):
    text = " ".join(parse(site[0] / "gemeente" / "GM0363.html").text)
    assert "GGD Amsterdam" in text and "Provincie Noord-Holland" in text


def test_overview_says_what_changed_in_the_figures(released):
    from orchestration.report.i18n import NL as words
    from orchestration.site.data import load_site_data
    from orchestration.site.pages import Maps, Site

    data = load_site_data(released[0].published, YEAR, words)
    assert data.changes.get("first_release") is True
    assert "De eerste versie van 2020." in Site(data, Maps(None, (1, 1)), with_downloads=False).overview()
    data.changes = {"first_release": False, "inputs_changed": ["perined/2020/perined_2020.csv"],
                    "classification": "2024 -> 2026",
                    "indicators": {"big2": {"values_changed": 1234, "rows_added": 0, "rows_removed": 2,
                                            "cells_newly_withheld": 3, "cells_newly_published": 1,
                                            "national_value_changed": True}}}
    html = Site(data, Maps(None, (1, 1)), with_downloads=False).overview()
    assert ("1.234 waarden herzien, 0 rijen erbij, 2 rijen vervallen. 3 cijfers nu afgeschermd, 1 nu gepubliceerd. "
            "Het landelijke cijfer is veranderd.") in html
    assert "nieuwere gemeentelijke indeling (2024 -&gt; 2026)" in html
    assert "<code>perined/2020/perined_2020.csv</code>" in html


def test_one_indicator_order_everywhere_by_phase(site):
    from orchestration.indicator_registry import indicators as registry
    from orchestration.report.i18n import PHASES

    out, _, _, indicators, _ = site
    overview = parse(out / "index.html").rows
    profile = parse(out / "gemeente" / "GM0363.html").rows
    assert overview == profile and sorted(overview) == sorted(indicators)
    phase_of = {r["indicator_code"]: r["phase"] for r in registry()}
    ranks = [PHASES.index(phase_of[code]) for code in overview]
    assert ranks == sorted(ranks)


def test_profile_has_one_spine_marker_per_indicator_and_the_area_outlined(site):
    out, codes, _, indicators, _ = site
    page = parse(out / "gemeente" / "GM0363.html")
    assert len(page.markers) == len(indicators)
    assert sorted(p["data-gemeente"] for p in page.paths) == codes
    assert [p["data-gemeente"] for p in page.paths if p.get("data-selected")] == ["GM0363"]
    ggd = parse(out / "ggd" / "GG3406.html")
    assert len(ggd.markers) == len(indicators)
    assert "GM0363" in [p["data-gemeente"] for p in ggd.paths if p.get("data-selected")]


def test_indicator_page_has_trend_map_by_comparison_tables_and_breakdowns(site):
    out, codes, *_ = site
    html = (out / "indicator" / "big2.html").read_text(encoding="utf-8")
    page = parse(out / "indicator" / "big2.html")
    assert sorted(p["data-gemeente"] for p in page.paths) == codes
    classes = {p["data-class"] for p in page.paths}
    assert classes <= {"better", "similar", "worse", "withheld", "none"} and "withheld" in classes
    text = " ".join(page.text)
    assert 'class="band"' in html and "GGD-regio's, 2020" in text and "Provincies, 2020" in text
    assert 'data-breakdown="income_quintile"' in html and 'class="whisker"' in html
    # in the tiny year most gemeenten are withheld: the map colours each by its GGD-regio instead
    assert "GGD-regio's, 2020: vergeleken met Nederland" in text
    amsterdam = [p for p in page.paths if p["data-gemeente"] in ("GM0363", "GM0437")]  # both in GGD Amsterdam
    assert len({p["data-class"] for p in amsterdam}) == 1 and amsterdam[0]["data-class"] != "none"


def test_search_sends_an_old_code_of_a_merged_gemeente_to_its_successor_with_a_note(site):
    out = site[0]
    script = "".join(parse(out / "index.html").script)
    areas = json.loads(re.search(r"const AREAS=(\{.*?\});", script).group(1))
    assert areas["gm0363"]["url"] == "gemeente/GM0363.html" and areas["amsterdam"]["url"] == "gemeente/GM0363.html"
    weesp = areas["gm0457"]
    assert weesp["url"] == "gemeente/GM0363.html" and "Amsterdam (GM0363)" in weesp["note"]
    assert "bestaat niet meer" in weesp["note"]
    assert areas["weesp"] == weesp  # the old name finds it too
    haaren = areas["gm0788"]  # split over four gemeenten in 2021
    assert "verdeeld over" in haaren["note"] and "Vught (GM0865)" in haaren["note"]


def test_site_in_english_and_without_boundaries(copy_home, capsys):
    code = main(["site", "--year", str(YEAR), "--lang", "en", "--no-downloads"])
    out, err = capsys.readouterr()
    assert code == 0, err
    folder = copy_home.home / "site" / f"{YEAR}-en"
    assert f"wrote {folder}/index.html" in out and "no boundaries" in out
    page = parse(folder / "indicator" / "big2.html")
    text = " ".join(page.text)
    assert page.lang == "en" and "Value (%)" in text and "Compared with Nederland" in text and "48.0" in text
    assert "During pregnancy. Share of births that were born before 37 completed weeks" in text
    assert "Aandeel geboorten" not in text
    assert not page.paths and "ksm fetch-boundaries --year 2024" in text.replace("\n", " ")
    # written again: the folder is replaced whole
    assert main(["site", "--year", str(YEAR), "--lang", "en", "--no-downloads"]) == 0
    capsys.readouterr()
    assert sorted(p.name for p in folder.parent.iterdir()) == [f"{YEAR}-en"]


def test_site_errors_are_one_line(copy_home, capsys, tmp_path):
    (tmp_path / "taken").mkdir()
    (tmp_path / "taken" / "notes.txt").write_text("mine")
    for argv, message in [(["--year", "2017"], "2017 has no release"),
                          (["--year", str(YEAR), "--out", str(tmp_path / "taken")], "is not a site written by"),
                          (["--year", str(YEAR), "--boundaries", str(tmp_path / "none.geojson")], "no such file")]:
        code = main(["site", *argv])
        _, err = capsys.readouterr()
        assert code == 2 and message in err and len(err.strip().splitlines()) == 1 and "Traceback" not in err
    assert (tmp_path / "taken" / "notes.txt").read_text() == "mine"


def test_spine_marker_of_a_withheld_figure_says_why_in_the_shared_words():
    from orchestration.site.spine import spine_row

    withheld = {"value": None, "suppressed": True, "suppression_reason": "numerator_below_10"}
    unanswered = {**withheld, "suppression_reason": "not_answered"}
    assert "<title>afgeschermd (minder dan 10 gevallen)</title>" in spine_row(
        "big2", [10.0, 20.0], 15.0, withheld, "low_is_good", "%", NL, "t")
    assert "<title>niet beantwoord</title>" in spine_row("coalition", [], None, unanswered, "high_is_good", "%", NL, "t")
    assert "<title>no figure</title>" in spine_row("big2", [10.0, 20.0], 15.0, None, "low_is_good", "%", EN, "t")


def test_words_format_numbers_the_dutch_way():
    assert NL.value(14.789, "%") == "14,8%" and NL.value(5.0, "per 1000") == "5,0 per 1000"
    assert NL.count(12345) == "12.345" and EN.count(12345) == "12,345"
    assert NL.interval(0.912, 1.834) == "0,91\u20131,83" and EN.interval(13.1, 16.04) == "13.1\u201316.0"
    assert NL.comparison("worse") == "slechter" and NL.trend("no_significant_change") == "geen significante verandering"


def test_funnel_limits_widen_for_small_gemeenten_and_judge_by_polarity():
    from orchestration.site.funnel import funnel_comparison, funnel_limits

    lower, upper = funnel_limits(20.0, 100, "%", 100)  # Wilson at 99.8% around 20% with n = 100, worked by hand
    assert lower == pytest.approx(10.519, abs=0.001) and upper == pytest.approx(34.711, abs=0.001)
    wide, narrow = funnel_limits(20.0, 50, "%", 100), funnel_limits(20.0, 5000, "%", 100)
    assert wide[0] < narrow[0] < 20.0 < narrow[1] < wide[1]
    rate = funnel_limits(6.0, 10000, "per 1000", 1000)  # 60 deaths expected
    assert 3.5 < rate[0] < 4.2 and 8.4 < rate[1] < 9.2  # about 60 +- 3.09 x sqrt(60), skewed up

    def row(value, n):
        return {"value": value, "denominator": n, "suppressed": False}
    assert funnel_comparison(row(30.0, 100), 20.0, "%", 100, "low_is_good") == "similar"  # inside 10.5-34.7
    assert funnel_comparison(row(36.0, 100), 20.0, "%", 100, "low_is_good") == "worse"
    assert funnel_comparison(row(36.0, 100), 20.0, "%", 100, "high_is_good") == "better"
    assert funnel_comparison(row(5.0, 100), 20.0, "%", 100, "no_polarity") == "lower"
    assert funnel_comparison({"value": None, "denominator": None, "suppressed": True}, 20.0, "%", 100, "x") is None


def test_indicator_map_offers_funnel_limits_where_most_gemeenten_are_published(site, released):
    from orchestration.report.geo import fit_shapes, load_features
    from orchestration.site.data import load_site_data
    from orchestration.site.pages import Maps, Site

    out, codes, *_ = site
    data = load_site_data(released[0].published, YEAR, NL)
    big2 = next(i for i in data.indicators if i.code == "big2")
    # every gemeente published at 20% of 100 births; GM0363 at 40% of 100 (outside 10.5-34.7: worse)
    for code in codes:
        value = 40.0 if code == "GM0363" else 20.0
        data.rows[("big2", code, big2.map_period)] = {
            "value": value, "denominator": 100, "numerator": int(value), "suppressed": False,
            "suppression_reason": None, "ci95_lower": value - 5, "ci95_upper": value + 5, "compared_to_nl": "similar",
            "trend": None, "year_from": YEAR, "year_to": YEAR, "period": big2.map_period}
    data.rows[("big2", "NL01", big2.map_period)] = {**data.rows[("big2", "GM0014", big2.map_period)]}
    shapes, width, height = fit_shapes(load_features(out.parent / "grid.geojson"), 400, 400)
    page = Page()
    page.feed(Site(data, Maps(shapes, (width, height)), with_downloads=False).indicator_page(big2))
    assert len(page.paths) == 2 * len(codes)  # the comparison map and the funnel map
    funnel = page.paths[len(codes):]
    assert {p["data-gemeente"]: p["data-class"] for p in funnel if p["data-class"] != "similar"} == {"GM0363": "worse"}
    assert "Kaart met trechtergrenzen (99,8%)" in " ".join(page.text)


def test_worse_and_worsening_and_the_parent_comparisons_come_from_the_mart(released):
    """The overview and the profiles show the mart's worse_and_worsening flag (a !) and its
    comparisons with the GGD-regio and provincie; nothing is recomputed on the site."""
    from orchestration.site.data import load_site_data
    from orchestration.site.pages import Maps, Site

    data = load_site_data(released[0].published, YEAR, NL)
    big2 = next(i for i in data.indicators if i.code == "big2")
    year = str(YEAR)
    ggd = data.rows[("big2", "GG3406", year)]
    assert {"worse_and_worsening", "compared_to_parent", "compared_to_provincie"} <= set(ggd)
    ggd.update(compared_to_nl="worse", trend="increasing_and_getting_worse", worse_and_worsening=True,
               compared_to_parent="better")
    gemeente = data.rows[("big2", "GM0363", big2.map_period)]
    gemeente.update(compared_to_parent="better", compared_to_provincie="worse")
    site = Site(data, Maps(None, (1, 1)), with_downloads=False)

    overview = site.overview()
    rug_row = re.search(r'<tr data-indicator="big2">.*?</tr>', overview).group(0)
    cell = re.search(r'<td class="cell" data-region="GG3406"[^>]*>.*?</td>', rug_row).group(0)
    assert 'data-worse-and-worsening="true"' in cell and "slechter en verslechterend" in cell and '>!</span>' in cell
    assert overview.count('data-worse-and-worsening="true"') == 1
    assert "Een ! betekent slechter en verslechterend" in overview

    profile = site.profile_page(data.areas["GG3406"])
    row = re.search(r'<tr data-indicator="big2">.*?</tr>', profile).group(0)
    assert "Provincie Noord-Holland" in profile and 'data-comparison="better"' in row
    assert 'class="ww"' in row and "stijgend" in " ".join(parse_text(row))
    cells = re.findall(r"<td[^>]*>(.*?)</td>", re.search(r'<tr data-indicator="big2">.*?</tr>',
                                                         site.profile_page(data.areas["GM0363"])).group(0))
    # indicator, unit, period, value, interval, Nederland, GGD-regio, provincie, compared, trend, spine
    assert 'data-comparison="better"' in cells[6] and 'data-comparison="worse"' in cells[7]
    assert 'class="ww"' not in " ".join(cells)


def parse_text(html: str) -> list[str]:
    page = Page()
    page.feed(html)
    return page.text


def test_indicator_page_shows_the_slope_index_of_inequality_under_the_income_bars(site, released):
    from orchestration.site.data import load_site_data
    from orchestration.site.pages import Maps, Site

    out = site[0]
    # the tiny year: 19 births per income quintile, every quintile withheld, so the SII is too
    html = (out / "indicator" / "preterm.html").read_text(encoding="utf-8")
    income = html[html.index('data-breakdown="income_quintile"'):]
    income = income[:income.index("</figure>")]
    assert 'data-breakdown="sii"' in income and "Ongelijkheidshelling (SII): afgeschermd" in income
    assert '<figure class="breakdown" data-breakdown="sii"' not in html  # a statistic, not a breakdown's bars
    # a published SII, in the indicator's unit, Dutch and English
    for words, expected in ((NL, "hoogste min laagste): -3,2 procentpunt (95%-BI -4,3 tot -2,1)."),
                            (EN, "(highest minus lowest): -3.2 percentage points (95% CI -4.3 to -2.1).")):
        data = load_site_data(released[0].published, YEAR, words)
        preterm = next(i for i in data.indicators if i.code == "preterm")
        data.inequality[("preterm", "income_quintile")] = {
            "value": -3.2456, "ci95_lower": -4.312, "ci95_upper": -2.138, "suppressed": False,
            "suppression_reason": None, "breakdown": "sii", "breakdown_category": "income_quintile"}
        page = Page()
        page.feed(Site(data, Maps(None, (0, 0)), with_downloads=False).indicator_page(preterm))
        text = " ".join(page.text)
        assert expected in text, text[text.find("SII"):][:300]
    rate = next(i for i in data.indicators if i.code == "perinatal_mortality")
    data.inequality[("perinatal_mortality", "income_quintile")] = {
        **data.inequality[("preterm", "income_quintile")], "value": 1.25, "ci95_lower": 0.4, "ci95_upper": 2.1}
    page = Page()
    page.feed(Site(data, Maps(None, (0, 0)), with_downloads=False).indicator_page(rate))
    assert "1.2 per 1000 (95% CI 0.40 to 2.1)" in " ".join(page.text)
