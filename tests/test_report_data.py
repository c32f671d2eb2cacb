"""Views and report data over several years, on a small published file written here (the
released fixture has one year only): latest year, withheld years, pooled periods."""

from __future__ import annotations

import contextlib
import re
from html import unescape

import duckdb
import pytest

from orchestration.analyst_views import create_analyst_views
from orchestration.docs_gen import released_tables
from orchestration.report.charts import trend_chart
from orchestration.report.data import ReportError, load_report_data
from orchestration.report.html import render_page
from orchestration.report.i18n import EN, NL


def _insert(con, table: str, rows: list[dict]) -> None:
    for row in rows:
        con.execute(f"INSERT INTO {table} ({', '.join(row)}) VALUES ({', '.join('?' * len(row))})", list(row.values()))


def _value(region, level, period, value, suppressed=False, reason=None, compared=None, trend=None):
    year_from, year_to = (int(period[:4]), int(period[-4:]))
    return {"indicator_code": "big2", "period": period, "year_from": year_from, "year_to": year_to,
            "region_code": region, "region_name": region, "region_level": level, "classification_year": 2024,
            "breakdown": "total", "breakdown_category": "total", "unit": "%", "suppressed": suppressed,
            "suppression_reason": reason, "value": None if suppressed else value,
            "numerator": None if suppressed else int(value), "denominator": None if suppressed else 100,
            "ci95_lower": None if suppressed else value - 2, "ci95_upper": None if suppressed else value + 2,
            "compared_to_nl": compared, "trend": trend, "release_year": year_to, "release_version": 1}


@pytest.fixture
def published(tmp_path):
    path = tmp_path / "monitor.duckdb"
    with contextlib.closing(duckdb.connect(str(path))) as con:
        for table in released_tables():
            if table.kind == "table":
                con.execute(f"CREATE TABLE {table.name} ({', '.join(f'{c} {t}' for c, t, _ in table.columns)})")
        create_analyst_views(con)
        _insert(con, "indicators", [{"indicator_code": "big2", "name_en": "Big2 (preterm or small)",
                                     "name_nl": "Big2 (vroeg of klein)", "unit": "%",
                                     "definition": "Share of births born early or small.",
                                     "definition_nl": "Aandeel geboorten dat te vroeg of te klein is.",
                                     "polarity": "low_is_good", "phase": "during_pregnancy"}])
        _insert(con, "regions", [
            {"classification_year": 2024, "region_code": code, "region_name": code, "region_level": level,
             "ggd_code": "GG0001"} for code, level in
            [("GM0001", "gemeente"), ("GM0002", "gemeente"), ("GG0001", "ggd_regio"), ("NL01", "nederland")]])
        _insert(con, "releases", [{"year": 2024, "version": 2, "released_at": "2025-03-01 10:00:00+00"}])
        rows = [_value("NL01", "nederland", str(y), 15.0 - (y - 2020) * 0.5) for y in (2020, 2021, 2023)]
        rows += [_value("NL01", "nederland", "2022", None, True, "secondary_suppression"),
                 _value("NL01", "nederland", "2024", 13.0, trend="cannot_be_calculated"),
                 _value("NL01", "nederland", "2020-2024", 14.0),
                 _value("GM0001", "gemeente", "2023", 10.0, compared="better"),
                 _value("GM0001", "gemeente", "2024", None, True, "numerator_below_10"),
                 _value("GM0001", "gemeente", "2020-2024", 12.0, compared="similar"),
                 _value("GM0002", "gemeente", "2024", 20.0, compared="worse", trend="increasing_and_getting_worse"),
                 _value("GM0002", "gemeente", "2020-2024", 18.0, compared="worse"),
                 _value("GG0001", "ggd_regio", "2024", 15.0, compared="similar")]
        _insert(con, "indicator_values", rows)
    return path


def test_gemeente_profile_keeps_a_withheld_latest_year_withheld_and_adds_the_pooled_figure(published):
    with contextlib.closing(duckdb.connect(str(published), read_only=True)) as con:
        rows = con.execute("SELECT gemeente_code, period, value, suppressed, compared_to_nl, nl_value, trend, "
                           "pooled_period, pooled_value, nl_pooled_value, pooled_compared_to_nl, ggd_code "
                           "FROM gemeente_profile ORDER BY gemeente_code").fetchall()
    assert rows == [
        ("GM0001", "2024", None, True, None, 13.0, None, "2020-2024", 12.0, 14.0, "similar", "GG0001"),
        ("GM0002", "2024", 20.0, False, "worse", 13.0, "increasing_and_getting_worse", "2020-2024", 18.0, 14.0,
         "worse", "GG0001"),
    ]


def test_indicator_series_orders_years_and_keeps_gaps(published):
    with contextlib.closing(duckdb.connect(str(published), read_only=True)) as con:
        rows = con.execute("SELECT period, period_type, value, suppressed FROM indicator_series "
                           "WHERE region_code = 'NL01' ORDER BY year_to, year_from DESC").fetchall()
    assert [r[0] for r in rows] == ["2020", "2021", "2022", "2023", "2024", "2020-2024"]
    assert rows[2][2:] == (None, True) and rows[-1][1] == "pooled"


def test_report_data_uses_the_pooled_period_for_the_map_and_every_year_for_the_chart(published):
    data = load_report_data(published, 2024, gemeente="GM0002")
    assert (data.version, data.classification_year) == (2, 2024)
    [big2] = data.indicators
    assert big2.map_period == "2020-2024"
    assert {code: row["value"] for code, row in big2.gemeenten.items()} == {"GM0001": 12.0, "GM0002": 18.0}
    assert [r["year_to"] for r in big2.national] == [2020, 2021, 2022, 2023, 2024]
    assert [r["region_code"] for r in big2.ggd] == ["GG0001"] and big2.nederland["value"] == 13.0
    [profile] = data.profile
    assert (profile["value"], profile["nl_value"], profile["pooled_value"]) == (20.0, 13.0, 18.0)
    svg = trend_chart(big2.national, "%", "t")
    assert svg.count("<polyline") == 2 and "2022: withheld (protects another withheld figure)" in svg


def test_report_data_needs_a_release_of_the_year(published):
    with pytest.raises(ReportError, match="2023 has no release"):
        load_report_data(published, 2023)


def test_the_report_reads_within_the_query_bounds(published, monkeypatch):
    """The report opens the file as `ksm query` does: the same memory limit and settings."""
    from orchestration.published import open_published
    from orchestration.query_bounds import QueryLimitExceeded

    monkeypatch.setenv("KSM_QUERY_MEMORY_LIMIT", "lots")
    with pytest.raises(QueryLimitExceeded, match="KSM_QUERY_MEMORY_LIMIT='lots' is not a size"):
        load_report_data(published, 2024)
    monkeypatch.setenv("KSM_QUERY_MEMORY_LIMIT", "300MB")
    with contextlib.closing(open_published(published)) as con:
        limit, temp = con.execute("SELECT current_setting('memory_limit'), current_setting('temp_directory')").fetchone()
    assert limit.startswith("286.1 MiB") and temp == ""
    assert load_report_data(published, 2024).year == 2024


# English labels of the report before it spoke Dutch: none may be visible in the Dutch report
ENGLISH_LABELS = ["withheld", "similar", "better", "worse", "recent trend", "compared with", "cases / population",
                  "by year", "Indicators", "Generated", "No map", "hover", "gemeenten published", "5-year pooled",
                  "value", "95% CI", "not given", "Dutch:", "increasing", "decreasing", "no significant change",
                  "cannot be calculated", "fewer than", "than Nederland", "not answered", "no figure", "region",
                  "classification", "population", "Before pregnancy", "During pregnancy", "After birth"]


def visible_text(html: str) -> str:
    """The page's text as a reader sees it (tooltips included), without tags and attributes."""
    body = re.sub(r"<style>.*?</style>", " ", html, flags=re.DOTALL)
    return " ".join(unescape(re.sub(r"<[^>]+>", " ", body)).split())


def english_labels_in(text: str) -> list[str]:
    return [label for label in ENGLISH_LABELS if re.search(rf"\b{re.escape(label)}\b", text, re.IGNORECASE)]


def test_the_report_is_dutch_by_default_and_english_on_request(published):
    data = load_report_data(published, 2024, gemeente="GM0002")
    dutch = render_page(data, None, (1, 1), "geen kaart")
    assert dutch.startswith("<!DOCTYPE html>\n<html lang=\"nl\">")
    text = visible_text(dutch)
    assert "Big2 (vroeg of klein)" in text and "Big2 (preterm" not in text
    assert "Tijdens de zwangerschap" in text  # the phase, in the contents and the definition
    assert "Tijdens de zwangerschap. Aandeel geboorten dat te vroeg of te klein is." in text
    assert "Share of births" not in text
    assert "stijgend en slechter" in text and "niet te berekenen" in text  # trends
    assert "slechter" in text and "gelijk" in text  # comparisons
    assert "Waarde (%)" in text and "95%-BI (%)" in text and "Eenheid" in text  # units in the headers
    assert re.search(r"Nederland 2024: 13,0% \(95%-BI 11,0\u201315,0\)", text)  # decimal comma
    assert "GM0002 (GM0002) vergeleken met Nederland, 2024" in text and "2020-2024: 18,0" in text
    assert not english_labels_in(text), english_labels_in(text)

    english = render_page(data, None, (1, 1), "no map", EN)
    assert english.startswith("<!DOCTYPE html>\n<html lang=\"en\">")
    text = visible_text(english)
    assert "Big2 (preterm or small)" in text and "vroeg of klein" not in text
    assert "During pregnancy. Share of births born early or small." in text and "Aandeel" not in text
    assert "increasing and getting worse" in text and "Nederland 2024: 13.0% (95% CI 11.0\u201315.0)" in text
    assert "Value (%)" in text and "Compared with Nederland" in text and "worse" in text
    assert set(english_labels_in(text)) >= {"worse", "similar", "recent trend", "Indicators", "Generated",
                                            "During pregnancy", "5-year pooled"}


def test_a_file_published_before_the_dutch_definitions_shows_the_english_one(published):
    """The reference tables of a published file are those of its newest release: one released
    before the `_nl` definitions lacks the columns until its year is released again."""
    with contextlib.closing(duckdb.connect(str(published))) as con:
        for column in ("definition_nl", "numerator_definition_nl", "denominator_definition_nl"):
            con.execute(f"ALTER TABLE indicators DROP COLUMN {column}")
    data = load_report_data(published, 2024, gemeente="GM0002")
    text = visible_text(render_page(data, None, (1, 1), "geen kaart"))
    assert "Tijdens de zwangerschap. Share of births born early or small." in text
    assert "Big2 (vroeg of klein)" in text
    from orchestration.site.data import load_site_data  # the site reads it the same way

    [big2] = load_site_data(published, 2024, NL).indicators
    assert (big2.name, big2.definition) == ("Big2 (vroeg of klein)", "Share of births born early or small.")


def test_the_nederland_summary_leaves_out_an_interval_it_does_not_have(published):
    data = load_report_data(published, 2024)
    data.indicators[0].nederland.update(ci95_lower=None, ci95_upper=None)
    text = visible_text(render_page(data, None, (1, 1), "", NL))
    assert re.search(r"Nederland 2024: 13,0% ?; recente trend: niet te berekenen\.", text), text
    assert "95%-BI )" not in text and "()" not in text
    assert "; 1 indicator." in text  # one indicator: singular


def test_thousands_get_a_separator_in_the_counts(published):
    data = load_report_data(published, 2024)
    data.indicators[0].nederland.update(numerator=12345, denominator=1234567)
    assert "12.345 / 1.234.567" in render_page(data, None, (1, 1), "", NL)
    assert "12,345 / 1,234,567" in render_page(data, None, (1, 1), "", EN)
