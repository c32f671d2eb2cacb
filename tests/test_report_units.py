"""Pure parts of the report: scales, colour classes, projection, simplification, GeoJSON, PNG."""

from __future__ import annotations

import json
import math
import struct
import zlib

import pytest

from orchestration.report import geo, scales
from orchestration.report.charts import trend_chart
from orchestration.report.maps import choropleth
from pngdecode import decode_png, non_white_share


def test_nice_ticks_cover_the_range_with_round_steps():
    assert scales.nice_ticks(13.2, 17.9, 4) == [12, 14, 16, 18]
    assert scales.nice_ticks(0.0, 0.42, 4) == [0.0, 0.2, 0.4, 0.6]
    assert scales.nice_ticks(0.0, 0.42, 8) == [0.0, 0.1, 0.2, 0.3, 0.4, 0.5]
    ticks = scales.nice_ticks(5.0, 5.0)
    assert ticks[0] < 5.0 < ticks[-1]


def test_linear_scale_and_a_flat_domain():
    y = scales.linear((0, 10), (200, 0))
    assert y(0) == 200 and y(10) == 0 and y(5) == 100
    assert scales.linear((3, 3), (0, 50))(3) == 25


def test_quantile_breaks_give_classes_of_similar_size():
    values = list(range(1, 101))
    breaks = scales.quantile_breaks(values, 5)
    assert len(breaks) == 4 and breaks == sorted(set(breaks))
    counts = [0] * 5
    for v in values:
        counts[scales.class_index(v, breaks)] += 1
    assert max(counts) - min(counts) <= 2


def test_quantile_breaks_with_few_distinct_values():
    assert scales.quantile_breaks([4.0, 4.0, 4.0]) == []
    breaks = scales.quantile_breaks([1.0, 1.0, 1.0, 1.0, 9.0])
    assert all(1.0 < b <= 9.0 for b in breaks) and breaks == sorted(set(breaks))
    assert scales.class_colours([]) == [scales.SEQUENTIAL[2]]
    assert scales.class_colours([5.0]) == [scales.SEQUENTIAL[0], scales.SEQUENTIAL[-1]]


def test_formats():
    assert scales.format_value(14.789, "%") == "14.8%"
    assert scales.format_value(5.0, "per 1000") == "5.0 per 1000"
    assert scales.format_value(None, "%") == "" and scales.format_value(math.nan, "%") == ""
    assert scales.format_interval(13.1, 16.04) == "13.1\u201316.0"


def test_detect_crs_tells_rd_lonlat_and_latlon_apart():
    assert geo.detect_crs([(121000.0, 487000.0), (100000.0, 500000.0)]) == "rd"
    assert geo.detect_crs([(4.9, 52.37), (5.1, 52.0)]) == "lonlat"
    assert geo.detect_crs([(52.37, 4.9), (52.0, 5.1)]) == "latlon"


def test_projection_keeps_north_up_and_shrinks_longitude():
    project = geo.projector("lonlat")
    west, east = project((4.0, 52.0)), project((5.0, 52.0))
    assert 0.55 < east[0] - west[0] < 0.65  # one degree of longitude ~ cos(52.2) of a degree of latitude
    assert project((4.0, 53.0))[1] > west[1]
    assert geo.projector("latlon")((52.0, 5.0)) == project((5.0, 52.0))


def test_simplify_drops_near_collinear_points_and_keeps_corners():
    line = [(0.0, 0.0), (1.0, 0.01), (2.0, -0.01), (3.0, 0.0), (3.0, 3.0)]
    assert geo.simplify(line, 0.1) == [(0.0, 0.0), (3.0, 0.0), (3.0, 3.0)]
    ring = [(0, 0), (5, 0.02), (10, 0), (10, 10), (5, 10.02), (0, 10), (0, 0)]
    assert len(geo.simplify_ring(ring, 0.1)) == 5  # the four corners and the closing point


def test_ring_path_is_relative_and_tiny_rings_vanish():
    assert geo.ring_path([(0, 0), (10, 0), (10, 5), (0, 0)]) == "M0 0l10 0 0 5z"
    assert geo.ring_path([(0, 0), (0.01, 0), (0.0, 0.01)]) == ""


def test_feature_code_reads_the_usual_properties():
    assert geo.feature_code({"statcode": "GM0363", "statnaam": "Amsterdam"}) == "GM0363"
    assert geo.feature_code({"Gemeentecode": "363"}) == "GM0363"
    assert geo.feature_code({"statcode": "PV27"}) is None
    assert geo.feature_code({"name": "nowhere"}) is None


def _square(code, x, y, size=0.1):
    ring = [[x, y], [x + size, y], [x + size, y + size], [x, y + size], [x, y]]
    return {"type": "Feature", "properties": {"statcode": code}, "geometry": {"type": "Polygon", "coordinates": [ring]}}


def test_load_features_and_fit_one_shape_per_gemeente(tmp_path):
    path = tmp_path / "g.geojson"
    features = [_square("GM0363", 4.9, 52.3), _square("GM0014", 6.5, 53.2),
                {"type": "Feature", "properties": {"statcode": "GM0001"},
                 "geometry": {"type": "MultiPolygon", "coordinates": [[[[5.0, 52.0], [5.00001, 52.0], [5.0, 52.00001], [5.0, 52.0]]]]}},
                {"type": "Feature", "properties": {"other": 1}, "geometry": None}]
    path.write_text(json.dumps({"type": "FeatureCollection", "features": features}))
    loaded = geo.load_features(path)
    assert [f.code for f in loaded] == ["GM0363", "GM0014", "GM0001"]
    shapes, width, height = geo.fit_shapes(loaded, 300, 300)
    assert [s.code for s in shapes] == ["GM0363", "GM0014", "GM0001"]
    assert all(s.path.startswith("M") and s.path.endswith("z") for s in shapes)
    assert width <= 300 and height <= 300


@pytest.mark.parametrize("content, message", [
    ("{not json", "not a GeoJSON file"),
    ('{"type": "Feature"}', "no 'features' list"),
    ('{"type": "FeatureCollection", "features": [{"properties": {"x": 1}, "geometry": null}]}', "no feature has a gemeente code"),
])
def test_unusable_boundary_files_are_one_line_errors(tmp_path, content, message):
    path = tmp_path / "bad.geojson"
    path.write_text(content)
    with pytest.raises(geo.BoundaryError) as error:
        geo.load_features(path)
    assert message in str(error.value) and str(path) in str(error.value)
    assert "\n" not in str(error.value)


def _row(year, value, suppressed=False, reason=None):
    return {"year_to": year, "value": value, "ci95_lower": None if value is None else value - 1,
            "ci95_upper": None if value is None else value + 1, "suppressed": suppressed,
            "suppression_reason": reason}


def test_trend_chart_breaks_at_a_withheld_year_and_shows_no_number_for_it():
    rows = [_row(2019, 14.0), _row(2020, 15.0), _row(2021, None, True, "numerator_below_10"),
            _row(2022, 13.5), _row(2023, 13.0)]
    svg = trend_chart(rows, "%", "test")
    assert svg.count("<polyline") == 2 and svg.count("<polygon") == 2
    assert svg.count('class="point"') == 4
    assert "2021: withheld (fewer than 10 cases)" in svg


def test_choropleth_marks_withheld_and_missing_gemeenten():
    shapes = [geo.Shape("GM0001", "A", "M0 0l1 0 0 1z"), geo.Shape("GM0002", "B", "M2 0l1 0 0 1z"),
              geo.Shape("GM0003", "C", "M4 0l1 0 0 1z")]
    rows = {"GM0001": {"value": 12.5, "ci95_lower": 10.0, "ci95_upper": 15.0, "suppressed": False,
                       "suppression_reason": None, "compared_to_nl": "worse"},
            "GM0002": {"value": None, "ci95_lower": None, "ci95_upper": None, "suppressed": True,
                       "suppression_reason": "numerator_below_10", "compared_to_nl": None}}
    svg, legend = choropleth(shapes, 10, 10, rows, {}, "%", "t")
    assert svg.count("<path data-gemeente=") == 3
    assert 'data-gemeente="GM0002" data-class="withheld" fill="url(#withheld)"' in svg
    assert 'data-gemeente="GM0003" data-class="none"' in svg
    assert "A (GM0001): 12.5% (95% CI 10.0\u201315.0), worse than Nederland" in svg
    assert "withheld (privacy)" in legend


def _png(width, height, pixel_rows, filter_type=0):
    raw = b"".join(bytes([filter_type]) + row for row in pixel_rows)
    def chunk(kind, body):
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b""))


def test_png_reader_counts_non_white_pixels():
    white, black = b"\xff\xff\xff", b"\x00\x00\x00"
    data = _png(2, 2, [white + black, white + white])
    assert decode_png(data)[:3] == (2, 2, 3)
    assert non_white_share(data) == 0.25
    # filter 2 ("up"): the second row repeats the first when its deltas are zero
    assert decode_png(_png(2, 2, [white + black, bytes(6)], filter_type=2))[3][1] == white + black


def test_detailed_boundaries_are_simplified_to_the_map_scale():
    circle = [(5.0 + 0.3 * math.cos(2 * math.pi * i / 4000), 52.0 + 0.2 * math.sin(2 * math.pi * i / 4000))
              for i in range(4000)]
    feature = geo.Feature("GM0001", "round", [[circle + [circle[0]]]])
    [shape], _, _ = geo.fit_shapes([feature], 320, 380)
    steps = shape.path.count(" ") // 2 + 1
    assert 20 < steps < 300, steps  # smooth at 320 px, far fewer than 4000 points
    assert len(shape.path) < 3000


def test_dutch_formats_tooltips_and_legend():
    from orchestration.report.i18n import NL

    assert scales.format_value(14.789, "%", NL) == "14,8%" and NL.value(5.0, "per 1000") == "5,0 per 1000"
    assert NL.count(1234567) == "1.234.567" and NL.interval(13.1, 16.04) == "13,1\u201316,0"
    assert NL.trend("increasing_and_getting_worse") == "stijgend en slechter" and NL.comparison("similar") == "gelijk"
    shapes = [geo.Shape("GM0001", "A", "M0 0l1 0 0 1z"), geo.Shape("GM0002", "B", "M2 0l1 0 0 1z")]
    rows = {"GM0001": {"value": 12.5, "ci95_lower": 10.0, "ci95_upper": 15.0, "suppressed": False,
                       "suppression_reason": None, "compared_to_nl": "worse"},
            "GM0002": {"value": None, "ci95_lower": None, "ci95_upper": None, "suppressed": True,
                       "suppression_reason": "not_answered", "compared_to_nl": None}}
    svg, legend = choropleth(shapes, 10, 10, rows, {}, "%", "t", NL)
    assert "A (GM0001): 12,5% (95%-BI 10,0\u201315,0), slechter dan Nederland" in svg
    assert "B (GM0002): niet beantwoord</title>" in svg  # no answer is not 'afgeschermd'
    assert "afgeschermd (privacy)" in legend and "geen cijfer" in legend
    rows = [_row(2020, 15.0), _row(2021, None, True, "numerator_below_10"), _row(2022, 14.0)]
    assert "2021: afgeschermd (minder dan 10 gevallen)" in trend_chart(rows, "%", "t", NL)


def test_one_order_and_one_set_of_words_for_the_report_and_the_site():
    from orchestration.report.i18n import EN, LANGUAGES, NL, by_phase
    from orchestration.site.text import TEXT

    metas = [{"indicator_code": "z", "phase": "before_pregnancy"}, {"indicator_code": "a", "phase": "after_birth"},
             {"indicator_code": "b", "phase": "during_pregnancy"}, {"indicator_code": "c", "phase": None}]
    assert [m["indicator_code"] for m in by_phase(metas)] == ["z", "b", "a", "c"]
    assert NL.indicator_name({"name_nl": "Vroeggeboorte", "name_en": "Preterm birth"}) == "Vroeggeboorte"
    assert EN.indicator_name({"name_nl": "Vroeggeboorte", "name_en": "Preterm birth"}) == "Preterm birth"
    # the definition in the page's language; English from a file published before the Dutch ones
    meta = {"definition": "Share of births before week 37.", "definition_nl": "Aandeel geboorten voor week 37."}
    assert NL.indicator_definition(meta) == "Aandeel geboorten voor week 37."
    assert EN.indicator_definition(meta) == "Share of births before week 37."
    assert NL.indicator_definition({"definition": "Share of births before week 37."}) == "Share of births before week 37."
    assert NL.indicator_definition({**meta, "definition_nl": None}) == "Share of births before week 37."
    assert (NL.indicator_count(1), NL.indicator_count(15), EN.indicator_count(1), EN.indicator_count(2)) == (
        "1 indicator", "15 indicatoren", "1 indicator", "2 indicators")
    # Nederland's summary: no empty brackets without an interval, a trend word always
    row = {"value": 14.8, "ci95_lower": None, "ci95_upper": None, "trend": None}
    assert NL.nl_summary(2024, row, "%") == "Nederland 2024: <strong>14,8%</strong>; recente trend: niet gegeven."
    row.update(ci95_lower=13.1, ci95_upper=16.0, trend="decreasing")
    assert EN.nl_summary(2024, row, "%") == ("Nederland 2024: <strong>14.8%</strong> (95% CI 13.1\u201316.0); "
                                            "recent trend: decreasing.")
    # the site's texts include the shared ones of report.i18n, unchanged: one place for each phrase
    for lang, words in LANGUAGES.items():
        assert set(TEXT[lang]) == set(TEXT["nl"])
        assert all(TEXT[lang][key] == text for key, text in words.text.items())
    assert set(NL.text) == set(EN.text)
