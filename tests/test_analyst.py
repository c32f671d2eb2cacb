"""The analyst's side on the released tiny year: views, generated docs, `ksm report`,
`ksm fetch-boundaries` (against a real HTTP server on 127.0.0.1)."""

from __future__ import annotations

import contextlib
import functools
import http.server
import json
import re
import socket
import threading
from html.parser import HTMLParser
from pathlib import Path

import duckdb
import pytest

from orchestration import indicator_registry
from orchestration.cli import main
from orchestration.report.i18n import NL, by_phase
from orchestration.settings import PROJECT_ROOT
from tiny_inbox import YEAR

pytestmark = pytest.mark.e2e

# the README's example (the test checks the README still shows it word for word)
README_PROFILE_SQL = """select indicator_code, period, value, ci95_lower, ci95_upper, nl_value, compared_to_nl, trend
from gemeente_profile where gemeente_code = 'GM0363' and indicator_code = 'big2'"""
REFERENCE_GEOJSON = PROJECT_ROOT.parent / "shared" / "reference" / "gemeenten_2024.geojson"


def run_cli(capsys, *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def run_cli_exit(capsys, *argv: str) -> tuple[int, str, str]:
    """A command line argparse refuses: its exit code and message."""
    with pytest.raises(SystemExit) as exited:
        main(list(argv))
    out, err = capsys.readouterr()
    return exited.value.code, out, err


@pytest.fixture
def published(released):
    # per test: DuckDB refuses a second connection to the file with another configuration,
    # and the report opens it with external access off
    con = duckdb.connect(str(released[0].published), read_only=True)
    yield con
    con.close()


# ---------------------------------------------------------------- views


def test_views_are_in_the_published_file_and_name_only_its_tables(published):
    views = dict(published.execute(
        "SELECT view_name, sql FROM duckdb_views() WHERE NOT internal").fetchall())
    assert set(views) == {"gemeente_profile", "indicator_series"}
    for sql in views.values():
        assert "marts." not in sql and "warehouse" not in sql and "ksm_new" not in sql


def test_gemeente_profile_answers_the_readme_question(copy_home, capsys):
    readme = (PROJECT_ROOT / "README.md").read_text(encoding="utf-8")
    assert " ".join(README_PROFILE_SQL.split()) in " ".join(readme.split())
    code, out, err = run_cli(capsys, "query", README_PROFILE_SQL, "--format", "json")
    assert code == 0, err
    [row] = json.loads(out)
    assert row["period"] == str(YEAR)
    assert row["value"] == pytest.approx(100 * 24 / 50)  # Amsterdam incl. Weesp: 24 big2 of 50 births
    assert row["nl_value"] == pytest.approx(100 * 45 / 95)
    assert row["compared_to_nl"] == "similar" and row["ci95_lower"] < row["nl_value"] < row["ci95_upper"]
    assert row["trend"] == "cannot_be_calculated"  # one year only


def test_gemeente_profile_has_every_gemeente_and_keeps_withheld_rows_withheld(published):
    gemeenten = published.execute(
        "SELECT count(*) FROM regions WHERE classification_year = 2024 AND region_level = 'gemeente'").fetchone()[0]
    per_indicator = published.execute(
        "SELECT indicator_code, count(*), count(DISTINCT gemeente_code) FROM gemeente_profile GROUP BY 1").fetchall()
    assert per_indicator and all(n == d == gemeenten for _, n, d in per_indicator)
    vught = published.execute(
        "SELECT suppressed, value, numerator, ci95_lower, compared_to_nl, ggd_code FROM gemeente_profile "
        "WHERE gemeente_code = 'GM0865' AND indicator_code = 'preterm'").fetchone()
    assert vught == (True, None, None, None, None, "GG5406")


def test_indicator_series_is_a_series_on_the_fixed_classification(published):
    rows = published.execute(
        "SELECT region_code, period, period_type, numerator, denominator, nl_value, classification_year "
        "FROM indicator_series WHERE indicator_code = 'preterm' AND breakdown = 'total' "
        "AND region_code IN ('NL01', 'GG5406', 'GM0363') ORDER BY region_code, year_to").fetchall()
    assert [(r[0], r[3], r[4]) for r in rows] == [("GG5406", 11, 25), ("GM0363", 14, 50), ("NL01", 35, 95)]
    assert all(r[1] == str(YEAR) and r[2] == "year" and r[6] == 2024 for r in rows)
    assert all(r[5] == pytest.approx(100 * 35 / 95) for r in rows)
    total = published.execute("SELECT count(*) FROM indicator_values").fetchone()[0]
    assert published.execute("SELECT count(*) FROM indicator_series").fetchone()[0] == total


def test_a_published_file_from_before_the_views_gets_them_on_an_unchanged_rerun(copy_home):
    from orchestration.analyst_views import published_has_views
    from orchestration.assets.release.publish import publish_year

    with contextlib.closing(duckdb.connect(str(copy_home.published))) as con:
        con.execute("DROP VIEW gemeente_profile")
        con.execute("DROP VIEW indicator_series")
    assert not published_has_views(copy_home.published)
    with contextlib.closing(duckdb.connect(str(copy_home.warehouse))) as con:
        outcome = publish_year(con, copy_home, YEAR, "test-run", {"passed": 1, "failed": 0})
    assert not outcome.created and outcome.version == 1  # no new version, only the file rebuilt
    assert published_has_views(copy_home.published)


def test_export_errors_are_one_line(copy_home, capsys, tmp_path):
    blocker = tmp_path / "a-file"
    blocker.write_text("x")
    code, _, err = run_cli(capsys, "export", "--year", str(YEAR), "--out", str(blocker / "sub"))
    assert code == 2 and err.startswith("ksm: cannot write to") and len(err.strip().splitlines()) == 1


# ---------------------------------------------------------------- generated docs


def test_generated_docs_are_up_to_date(capsys):
    code, out, err = run_cli(capsys, "docs", "--check")
    assert code == 0, f"{out}{err}"


def test_data_dictionary_describes_every_released_column(published):
    from orchestration.docs_gen import released_tables

    documented = {t.name: [(c[0], c[1].upper()) for c in t.columns] for t in released_tables()}
    actual: dict[str, list[tuple[str, str]]] = {}
    for table, column, kind in published.execute(
            "SELECT table_name, column_name, data_type FROM information_schema.columns "
            "ORDER BY table_name, ordinal_position").fetchall():
        actual.setdefault(table, []).append((column, kind.upper()))
    assert documented == actual
    assert all(text for t in released_tables() for _, _, text in t.columns), "a column has no description"
    assert (PROJECT_ROOT / "docs" / "sources.md").exists()


# ---------------------------------------------------------------- report


def _feature(code, x, y, size=0.08, key="statcode"):
    ring = [[x, y], [x + size, y], [x + size, y + size * 0.8], [x, y + size * 0.8], [x, y]]
    return {"type": "Feature", "properties": {key: code, "statnaam": code},
            "geometry": {"type": "Polygon", "coordinates": [ring]}}


def write_geojson(path: Path, codes: list[str]) -> Path:
    features = [_feature(c, 3.4 + (i % 18) * 0.2, 50.8 + (i // 18) * 0.13) for i, c in enumerate(codes)]
    path.write_text(json.dumps({"type": "FeatureCollection", "features": features}), encoding="utf-8")
    return path


# Amsterdam (published), Vught and Oisterwijk (withheld), Groningen; GM9999 is no gemeente
FEW = ["GM0363", "GM0865", "GM0824", "GM0014", "GM9999"]


class _Page(HTMLParser):
    """Map paths per indicator section, and the page's visible text."""

    def __init__(self):
        super().__init__()
        self.section = None
        self.paths: dict[str, list[dict]] = {}
        self.text: list[str] = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "section" and "data-indicator" in attrs:
            self.section = attrs["data-indicator"]
        if tag == "path" and "data-gemeente" in attrs:
            self.paths.setdefault(self.section, []).append(attrs)

    def handle_data(self, data):
        self.text.append(data)


def parse(html: str) -> _Page:
    page = _Page()
    page.feed(html)
    return page


@pytest.fixture(scope="module")
def report_html(released, tmp_path_factory):
    """The report of the tiny year with the few-gemeenten map and Amsterdam's profile."""
    folder = tmp_path_factory.mktemp("report")
    boundaries = write_geojson(folder / "few.geojson", FEW)
    out = folder / "report.html"
    from orchestration.report import build_report

    build_report(released[0], YEAR, boundaries=boundaries, gemeente="GM0363", out=out, progress=lambda _: None)
    return out


def test_report_is_self_contained(report_html):
    html = report_html.read_text(encoding="utf-8")
    assert not re.search(r"https?:|//[a-z]|<link|<script|@import|src=", html, re.IGNORECASE)
    assert html.count("<svg") > 10 and "<style>" in html


def test_report_map_has_one_shape_per_gemeente_and_withheld_ones_show_no_number(report_html):
    page = parse(report_html.read_text(encoding="utf-8"))
    big2 = {p["data-gemeente"]: p for p in page.paths["big2"]}
    assert sorted(big2) == sorted(FEW[:4])  # GM9999 left out: not a 2024 gemeente
    assert big2["GM0363"]["data-class"] not in ("withheld", "none")
    assert big2["GM0865"]["data-class"] == "withheld" == big2["GM0824"]["data-class"]
    # the questionnaire counts gemeenten (a census): every gemeente's answer is shown
    coalition = {p["data-gemeente"]: p for p in page.paths["coalition"]}
    assert sorted(coalition) == sorted(FEW[:4])
    assert all(p["data-class"] != "withheld" for p in coalition.values())


def test_report_shows_values_and_never_numbers_for_withheld_figures(report_html):
    html = report_html.read_text(encoding="utf-8")
    text = " ".join(parse(html).text)
    assert "nan" not in text.lower().split() and "None" not in text
    # the GGD table: Amsterdam published (24 of 50), Hart voor Brabant's big2 11 of 25
    big2 = html[html.index('id="ind-big2"'):]
    big2 = big2[:big2.index("</section>")]
    # Dutch numbers (the unit in the column header) and comparison words
    assert "<th>Waarde (%)</th><th>95%-BI (%)</th>" in big2
    assert re.search(r'data-region="GG3406">.*?>48,0<.*?24 / 50.*?data-comparison="similar"[^>]*>gelijk<', big2)
    assert re.search(r'data-region="GG5406">.*?>44,0<.*?11 / 25', big2)
    withheld_row = re.search(r'data-region="GG0111">(.*?)</tr>', big2).group(1)
    assert "afgeschermd" in withheld_row and not re.search(r"\d", re.sub(r"<[^>]+>", "", withheld_row)
                                                           .replace("GGD", "").replace("10", ""))
    vught = re.search(r'data-gemeente="GM0865"[^>]*>(?:<title>)?(.*?)</title>', big2).group(1)
    assert "afgeschermd" in vught and not re.search(r"\d", vught.replace("GM0865", "").replace("10", ""))
    # the profile answers the README question from the report too
    profile = html[html.index('id="profile"'):]
    assert re.search(r'data-indicator="big2">.*?>%<.*?>48,0<.*?>47,4<.*?>gelijk<', profile)


def test_the_report_is_dutch_and_leaks_no_english_label(report_html):
    from test_report_data import english_labels_in, visible_text

    html = report_html.read_text(encoding="utf-8")
    assert '<html lang="nl">' in html
    text = visible_text(html)  # the indicator definitions included: the Dutch ones
    assert not english_labels_in(text), english_labels_in(text)
    assert "Big2 (vroeggeboorte en/of laag geboortegewicht)" in text and "Preterm birth" not in text
    assert "Aandeel geboorten met vroeggeboorte" in text and "Share of births" not in text
    assert "Kansrijke Start monitor 2020" in text and "Indicatoren" in text and "Recente trend" in text
    assert "Amsterdam (GM0363) vergeleken met Nederland, 2020" in text
    assert re.search(r"Nederland 2020: \d+,\d%", text)  # a decimal comma
    trends = set(re.findall(r"recente trend: ([a-z ]+)\.", text))
    assert trends and trends <= set(NL.trends.values()), trends
    # the indicators by phase, the one order of the site: contents, sections and profile alike
    sections = re.findall(r'<section class="indicator" id="ind-(\w+)"', html)
    profile = re.findall(r'<tr data-indicator="(\w+)">', html[html.index('id="profile"'):])
    contents = re.findall(r'<li><a href="#ind-(\w+)">', html)
    assert sections == contents == [c for c in profile if c in sections] and len(sections) > 5
    metas = indicator_registry.indicators()
    assert sections == [m["indicator_code"] for m in by_phase(metas) if m["indicator_code"] in sections]


def test_the_report_in_english_on_request(copy_home, capsys):
    code, out, err = run_cli(capsys, "report", "--year", str(YEAR), "--gemeente", "GM0363", "--lang", "en")
    assert code == 0, err
    target = copy_home.home / "reports" / f"monitor-{YEAR}-v1-en.html"  # beside the Dutch one, not over it
    assert f"wrote {target}" in out
    html = target.read_text(encoding="utf-8")
    assert '<html lang="en">' in html and "No map: no gemeente boundaries for 2024" in html
    text = " ".join(parse(html).text)
    assert "Preterm and/or small for gestational age (Big2)" in text and "vroeggeboorte en/of" not in text
    assert "Share of births that were born before 37" in " ".join(text.split()) and "Aandeel geboorten" not in text
    assert "Recent trend" in text and "Amsterdam (GM0363) compared with Nederland, 2020" in text
    assert re.search(r"Nederland 2020: \d+\.\d%", " ".join(text.split()))
    assert "Indicatoren" not in text and "Recente trend" not in text
    code, _, err = run_cli_exit(capsys, "report", "--year", str(YEAR), "--lang", "de")
    assert code == 2 and "invalid choice: 'de'" in err


def test_report_without_boundaries_has_a_note_instead_of_the_map(copy_home, capsys):
    code, out, err = run_cli(capsys, "report", "--year", str(YEAR))
    assert code == 0, err
    target = copy_home.home / "reports" / f"monitor-{YEAR}-v1.html"
    assert f"wrote {target}" in out and "no boundaries" in out
    html = target.read_text(encoding="utf-8")
    assert "data-gemeente" not in html and "ksm fetch-boundaries --year 2024" in html
    assert '<html lang="nl">' in html and "Geen kaart: geen gemeentegrenzen voor 2024" in html


def test_report_errors_are_one_line(copy_home, capsys, tmp_path):
    bad = tmp_path / "bad.geojson"
    bad.write_text("{oops")
    for argv, message in [(["--year", "2017"], "2017 has no release"),
                          (["--year", str(YEAR), "--boundaries", str(bad)], "not a GeoJSON file"),
                          (["--year", str(YEAR), "--gemeente", "GM9999"], "GM9999 is not a gemeente"),
                          (["--year", str(YEAR), "--gemeente", "Amsterdam"], "is not a gemeente code")]:
        code, _, err = run_cli(capsys, "report", *argv)
        assert code == 2 and message in err and len(err.strip().splitlines()) == 1 and "Traceback" not in err


def test_report_maps_all_342_gemeenten_of_2024(released, tmp_path):
    """A synthetic grid of the 342 gemeenten: every one gets exactly one path in every map."""
    from orchestration.report import build_report

    with contextlib.closing(duckdb.connect(str(released[0].published), read_only=True)) as con:
        codes = [r[0] for r in con.execute("SELECT region_code FROM regions WHERE classification_year = 2024 "
                                           "AND region_level = 'gemeente' ORDER BY 1").fetchall()]
    assert len(codes) == 342
    out = build_report(released[0], YEAR, boundaries=write_geojson(tmp_path / "grid.geojson", codes),
                       out=tmp_path / "r.html", progress=lambda _: None)
    page = parse(out.read_text(encoding="utf-8"))
    assert page.paths and all(sorted(p["data-gemeente"] for p in paths) == codes for paths in page.paths.values())


@pytest.mark.skipif(not REFERENCE_GEOJSON.exists(), reason=f"no reference boundaries at {REFERENCE_GEOJSON}")
def test_report_maps_the_real_2024_boundaries(released, tmp_path):
    from orchestration.report import build_report

    out = build_report(released[0], YEAR, boundaries=REFERENCE_GEOJSON, out=tmp_path / "r.html",
                       progress=lambda _: None)
    html = out.read_text(encoding="utf-8")
    page = parse(html)
    assert all(len({p["data-gemeente"] for p in paths}) == len(paths) == 342 for paths in page.paths.values())
    assert len(html.encode()) < 4_000_000, "simplify harder: the report should stay a few MB at most"


# ---------------------------------------------------------------- fetch-boundaries


@contextlib.contextmanager
def serve(folder: Path):
    class Quiet(http.server.SimpleHTTPRequestHandler):
        def log_message(self, *args):  # keep stderr for ksm's own messages
            pass

    handler = functools.partial(Quiet, directory=str(folder))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


def test_fetch_boundaries_downloads_checks_and_is_used_by_the_report(copy_home, capsys, tmp_path, monkeypatch):
    served = tmp_path / "served"
    served.mkdir()
    write_geojson(served / "gemeenten_2024.geojson", FEW)
    (served / "empty_2023.geojson").write_text('{"type": "FeatureCollection", "features": []}')
    with serve(served) as base:
        monkeypatch.setenv("KSM_BOUNDARIES_URL", base + "/gemeenten_{year}.geojson")
        code, out, err = run_cli(capsys, "fetch-boundaries", "--year", "2024")
        assert code == 0, err
        assert "(5 gemeenten)" in out  # features with a gemeente code; the report matches them
        code, out, err = run_cli(capsys, "fetch-boundaries", "--year", "2022")
        assert code == 2 and "HTTP 404" in err and len(err.strip().splitlines()) == 1
        monkeypatch.setenv("KSM_BOUNDARIES_URL", base + "/empty_{year}.geojson")
        code, out, err = run_cli(capsys, "fetch-boundaries", "--year", "2023")
        assert code == 2 and "no usable boundaries" in err
    assert not (copy_home.home / "boundaries" / "gemeenten_2023.geojson").exists()
    code, out, err = run_cli(capsys, "report", "--year", str(YEAR))
    assert code == 0 and "map: 4 gemeenten" in out


def test_fetch_boundaries_offline_is_a_clear_error(copy_home, capsys, monkeypatch):
    with socket.socket() as probe:  # a port nobody listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    monkeypatch.setenv("KSM_BOUNDARIES_URL", f"http://127.0.0.1:{port}/gemeente_{{year}}.json")
    code, _, err = run_cli(capsys, "fetch-boundaries", "--year", "2024")
    assert code == 2 and "could not download the 2024 gemeente boundaries" in err
    assert "--boundaries PATH" in err and len(err.strip().splitlines()) == 1
