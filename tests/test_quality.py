"""The expectation suites on small DataFrames: a good slice passes, bad slices fail with the right
expectation. No Dagster here; Great Expectations is imported once, by the first validation."""

from __future__ import annotations

import json

import duckdb
import numpy as np
import pandas as pd
import pytest

from orchestration.assets.ingest.extract_files import find_extract, parse_extract
from orchestration.assets.ingest.load import load_extract
from orchestration.assets.ingest.regions import load_regions
from orchestration.assets.quality.slices import (
    REFERENCE_MARTS,
    add_mart_columns,
    mart_frame,
    mart_parameters,
    reference_frame,
    reference_parameters,
    row_count_band,
    source_frame,
    source_parameters,
)
from orchestration.assets.quality.suites import (
    load_suite_json,
    parameters_of,
    severity_of,
    suite_settings,
    validate_frame,
)
from orchestration.run_outcome import ERROR, WARNING
from orchestration.settings import EXPECTATIONS_DIR
from orchestration.sources import YEARLY_SOURCES
from suite_engines import compare_engines, with_faults
from tiny_inbox import YEAR, write_tiny_inbox

HEADLINE = ["big2", "preterm", "sga", "perinatal_mortality"]


# ------------------------------------------------------------------ the suite files


def test_one_suite_per_source_and_one_per_mart():
    names = sorted(p.stem for p in EXPECTATIONS_DIR.glob("*.json"))
    assert names == sorted([*YEARLY_SOURCES, "indicator_values", *REFERENCE_MARTS])
    for name in names:
        suite = load_suite_json(name)
        assert suite["name"] == name
        assert {e.get("severity") for e in suite["expectations"]} <= {"critical", "warning"}
        assert any(severity_of(e) == ERROR for e in suite["expectations"])
        if name not in REFERENCE_MARTS:  # the reference marts have nothing that may merely warn
            assert any(severity_of(e) == WARNING for e in suite["expectations"])


def _expectations(suite: dict, kind: str, column: str | None = None) -> list[dict]:
    return [e for e in suite["expectations"] if e["type"] == kind
            and (column is None or e["kwargs"].get("column") == column)]


@pytest.mark.parametrize("source", sorted(YEARLY_SOURCES))
def test_source_suites_agree_with_the_source_specs(source):
    """The JSON suites and orchestration/sources.py describe the same columns, ranges and codes:
    changing one without the other fails here."""
    spec = YEARLY_SOURCES[source]
    suite = load_suite_json(source)
    blocking = [e for e in suite["expectations"] if severity_of(e) == ERROR]
    columns = _expectations(suite, "expect_table_columns_to_match_set")[0]["kwargs"]["column_set"]
    expected = ["year", "source_file", "source_row"]
    for c in spec.columns:
        expected += [c.name] + ([f"{c.name}_delivered", f"{c.name}_status"] if c.kind == "gemeente" else [])
    assert sorted(columns) == sorted(expected)
    for c in spec.columns:
        assert _expectations(suite, "expect_column_values_to_be_in_type_list", c.name), c.name
        if c.required and c.kind != "gemeente":
            assert _expectations(suite, "expect_column_values_to_not_be_null", c.name), c.name
        if c.minimum is not None and c.maximum is not None:
            between = [e for e in _expectations(suite, "expect_column_values_to_be_between", c.name) if e in blocking]
            codes = [e for e in _expectations(suite, "expect_column_values_to_be_in_set", c.name) if e in blocking]
            if between:
                assert (between[0]["kwargs"]["min_value"], between[0]["kwargs"]["max_value"]) == (c.minimum, c.maximum)
            else:  # a code list instead of a range (sterfte)
                assert codes and min(codes[0]["kwargs"]["value_set"]) == c.minimum
                assert max(codes[0]["kwargs"]["value_set"]) == c.maximum
        if c.kind == "choice":
            sets = _expectations(suite, "expect_column_values_to_be_in_set", c.name)
            assert sets and sets[0]["kwargs"]["value_set"] == list(c.choices)
    if spec.record_id:
        assert _expectations(suite, "expect_column_values_to_be_unique", spec.record_id)
    assert suite_settings(suite)["table"] == f"raw.{source}"
    band = _expectations(suite, "expect_table_row_count_to_be_between")
    assert any(parameters_of(e) == {"min_rows", "max_rows"} and severity_of(e) == WARNING for e in band)


def test_row_count_band():
    assert row_count_band(None, 0.25) == (None, None)
    assert row_count_band(0, 0.25) == (None, None)
    assert row_count_band(100, 0.25) == (75, 125)
    assert row_count_band(170_301, 0.25) == (127_725, 212_877)


# ------------------------------------------------------------------ source suites on the tiny delivery


@pytest.fixture(scope="module")
def tiny_warehouse(tmp_path_factory):
    """raw.* of the hand-made 2020 delivery, loaded by the real ingest (no Dagster, no dbt)."""
    base = tmp_path_factory.mktemp("quality")
    write_tiny_inbox(base / "inbox")
    con = duckdb.connect(str(base / "warehouse.duckdb"))
    load_regions(con, base / "inbox" / "regions")
    for name, spec in YEARLY_SOURCES.items():
        path = find_extract(base / "inbox" / name / str(YEAR), name, YEAR)
        load_extract(con, spec, YEAR, parse_extract(path, spec.column_names), base / "quarantine" / name)
    yield con
    con.close()


@pytest.fixture(scope="module")
def tiny_frames(tiny_warehouse):
    frames, parameters = {}, {}
    for source in YEARLY_SOURCES:
        frames[source] = source_frame(tiny_warehouse, source, YEAR)
        parameters[source] = source_parameters(tiny_warehouse, source, YEAR, 0.25)
    return frames, parameters


@pytest.fixture(scope="module")
def tiny_outcomes(tiny_frames):
    frames, parameters = tiny_frames
    return {source: validate_frame(source, frames[source], parameters[source]) for source in YEARLY_SOURCES}


def failed_names(outcome, severity):
    return {f.expectation for f in outcome.failures(severity)}


@pytest.mark.parametrize("source", sorted(YEARLY_SOURCES))
def test_the_tiny_delivery_passes_every_blocking_expectation(tiny_outcomes, source):
    outcome = tiny_outcomes[source]
    assert outcome.passed(ERROR), outcome.failures(ERROR)
    assert outcome.evaluated[ERROR] > 10
    # no previous year: the row-count band is skipped, and said so
    assert [s["expectation"] for s in outcome.skipped] == ["expect_table_row_count_to_be_between"]
    assert outcome.result["ksm"]["parameters"]["year_values"] == [YEAR]
    # the validation result is plain JSON, with our summary first
    result = json.loads(json.dumps(outcome.result))
    assert list(result)[0] == "ksm"
    assert result["statistics"]["evaluated_expectations"] == sum(outcome.evaluated.values())


def test_unknown_gemeente_share_above_two_percent_is_a_warning(tiny_outcomes):
    outcome = tiny_outcomes["perined"]
    # 20 of 96 records carry GM9999: counted in Nederland only, reported, not blocking
    assert failed_names(outcome, WARNING) == {"expect_column_values_to_be_in_set(gemeente_code_status)"}
    assert outcome.failures(WARNING)[0].observed.startswith("20 of 96 values unexpected (20.8%), e.g. 'unknown'")
    assert outcome.result["ksm"]["failed"][0]["severity"] == WARNING


def broken_rows(frame: pd.DataFrame) -> tuple[pd.DataFrame, set[str]]:
    """The perined slice with one error per row in rows 1-7, and the expectations each must fail."""
    bad = frame.copy()
    bad.loc[1, "amww"] = 80
    bad.loc[2, "sterfte"] = 7
    bad.loc[3, "kind_id"] = bad.loc[4, "kind_id"]
    bad.loc[5, "geboortejaar"] = YEAR - 1
    bad.loc[6, "rangnummer"] = 3
    bad.loc[7, "gemeente_code"] = "0363"
    return bad, {
        "expect_column_values_to_be_between(amww)",
        "expect_column_values_to_be_in_set(sterfte)",
        "expect_column_values_to_be_unique(kind_id)",
        "expect_column_values_to_be_in_set(geboortejaar)",
        "expect_column_pair_values_a_to_be_greater_than_b(omv, rangnummer)",
        "expect_column_values_to_match_regex(gemeente_code)",
    }


def test_broken_perined_rows_fail_exactly_the_right_blocking_expectations(tiny_frames):
    frames, parameters = tiny_frames
    bad, expected = broken_rows(frames["perined"])
    outcome = validate_frame("perined", bad, parameters["perined"])
    assert failed_names(outcome, ERROR) == expected
    assert all(f.observed.startswith("1 of ") or f.observed.startswith("2 of ")  # duplicate: both rows
               for f in outcome.failures(ERROR)), outcome.failures(ERROR)


@pytest.mark.parametrize("source", sorted(YEARLY_SOURCES))
def test_source_suites_read_the_same_in_duckdb_as_in_gx(tiny_frames, source):
    """The row-level expectations run in DuckDB (row_checks.py): on the source's slice with
    faults in every column, each gives GX's verdict, counts and examples."""
    frames, parameters = tiny_frames
    differences, failed, evaluated = compare_engines(source, with_faults(frames[source]), parameters[source])
    assert differences == []
    assert failed >= 3 and evaluated >= 10


def test_a_third_of_the_records_without_a_gemeente_blocks(tiny_frames):
    frames, parameters = tiny_frames
    bad = frames["perined"].copy()
    rows = bad.index[(bad["gemeente_code_status"] == "ok")][:15]  # 20 + 15 = 35 of 96 unknown
    bad.loc[rows, "gemeente_code"] = "GM9998"
    bad.loc[rows, "gemeente_code_status"] = "unknown"
    outcome = validate_frame("perined", bad, parameters["perined"])
    assert failed_names(outcome, ERROR) == {"expect_column_values_to_be_in_set(gemeente_code_status)"}
    assert outcome.failures(ERROR)[0].observed.startswith("35 of 96 values unexpected (36.5%)")


def test_wrong_columns_or_types_block(tiny_frames):
    frames, parameters = tiny_frames
    bad = frames["perined"].drop(columns="hoftiezer").assign(amww=frames["perined"]["amww"].astype("float64"))
    outcome = validate_frame("perined", bad, parameters["perined"])
    failed = failed_names(outcome, ERROR)
    assert {"expect_table_columns_to_match_set", "expect_column_values_to_be_in_type_list(amww)"} <= failed
    assert "expect_column_values_to_be_between(amww)" not in failed


def test_aggregated_sources_need_gemeenten_of_the_year(tiny_frames):
    frames, parameters = tiny_frames
    bad = frames["questionnaire"].copy()
    bad.loc[0, "gemeente_code"] = "GM0017"  # Haren: merged into Groningen in 2019
    outcome = validate_frame("questionnaire", bad, parameters["questionnaire"])
    assert failed_names(outcome, ERROR) == {"expect_column_values_to_be_in_set(gemeente_code)"}
    bad = pd.concat([frames["population"], frames["population"].iloc[[0]]], ignore_index=True)
    outcome = validate_frame("population", bad, parameters["population"])
    assert "expect_compound_columns_to_be_unique(RegioS, Leeftijd)" in failed_names(outcome, ERROR)


def test_row_count_far_from_the_previous_year_is_a_warning(tiny_frames):
    frames, parameters = tiny_frames
    low, high = row_count_band(90, 0.25)
    outcome = validate_frame("cbs_linked", frames["cbs_linked"], {**parameters["cbs_linked"],
                                                                  "min_rows": low, "max_rows": high})
    assert outcome.passed(ERROR) and outcome.passed(WARNING) and not outcome.skipped
    low, high = row_count_band(400, 0.25)
    outcome = validate_frame("cbs_linked", frames["cbs_linked"], {**parameters["cbs_linked"],
                                                                  "min_rows": low, "max_rows": high})
    assert outcome.passed(ERROR)
    assert failed_names(outcome, WARNING) == {"expect_table_row_count_to_be_between"}
    assert outcome.failures(WARNING)[0].observed == "observed 96"


def test_previous_year_row_count_comes_from_the_ingest_log(tiny_warehouse):
    tiny_warehouse.execute("INSERT INTO raw.ingest_log (source, year, rows_accepted) VALUES ('vektis', ?, 80)",
                           [YEAR - 1])
    try:
        parameters = source_parameters(tiny_warehouse, "vektis", YEAR, 0.25)
    finally:
        tiny_warehouse.execute("DELETE FROM raw.ingest_log WHERE source = 'vektis' AND year = ?", [YEAR - 1])
    assert (parameters["min_rows"], parameters["max_rows"], parameters["previous_year_rows"]) == (60, 100, 80)
    assert parameters["gemeenten_in_classification"] == 355 and "GM0363" in parameters["gemeente_codes"]


# ------------------------------------------------------------------ the mart suite on a small frame


MART_COLUMNS = [c for c in _expectations(load_suite_json("indicator_values"),
                                         "expect_table_columns_to_match_set")[0]["kwargs"]["column_set"]
                if c not in ("indicators_with_total_in_region", "indicators_in_period", "nl_previous_value",
                             "nl_yoy_relative_change")]
NATIONAL = {"big2": 15.0, "preterm": 7.0, "sga": 10.0, "perinatal_mortality": 6.0, "coalition": 30.0}


def mart_rows(year=YEAR, national=None, regions=("GM0363", "GM0014", "NL01")) -> pd.DataFrame:
    """A small indicator_values slice: a total row per region and indicator, plus one breakdown row."""
    national = national or NATIONAL
    rows = []
    for code, value in national.items():
        for region in regions:
            level = "nederland" if region == "NL01" else "gemeente"
            for breakdown, category in (("total", "total"), ("parity", "first_child")):
                rows.append({c: None for c in MART_COLUMNS} | {
                    "indicator_code": code, "period": str(year), "year_from": year, "year_to": year,
                    "region_code": region, "region_name": region, "region_level": level,
                    "classification_year": 2024, "breakdown": breakdown, "breakdown_category": category,
                    "numerator": 150, "denominator": 1000, "value": value, "suppressed": False,
                    "unit": "per 1000" if code == "perinatal_mortality" else "%",
                })
    return pd.DataFrame(rows, columns=MART_COLUMNS)


def mart_parameters_for(frame, regions=("GM0363", "GM0014", "NL01")):
    return {"expected_region_codes": list(regions), "catalogue_indicators": list(NATIONAL)}


def test_mart_columns_computed_for_the_suite():
    previous = mart_rows(YEAR - 1, {**NATIONAL, "big2": 12.0})
    previous = previous[(previous.region_level == "nederland") & (previous.breakdown == "total")]
    current = mart_rows()
    current = current[~((current.region_code == "GM0014") & (current.indicator_code == "sga")
                        & (current.breakdown == "total"))]
    frame = add_mart_columns(current, previous[["indicator_code", "classification_year", "value"]], YEAR)
    assert len(frame) == len(current)
    per_region = frame.groupby("region_code")["indicators_with_total_in_region"].first().to_dict()
    assert per_region == {"GM0014": 4, "GM0363": 5, "NL01": 5}
    assert set(frame["indicators_in_period"]) == {5}
    national = frame[(frame.region_code == "NL01") & (frame.breakdown == "total")].set_index("indicator_code")
    assert national.loc["big2", "nl_previous_value"] == 12.0
    assert national.loc["big2", "nl_yoy_relative_change"] == pytest.approx(0.25)
    assert national.loc["preterm", "nl_yoy_relative_change"] == pytest.approx(0.0)
    assert frame.loc[frame.region_code != "NL01", "nl_yoy_relative_change"].isna().all()


def test_a_good_mart_slice_passes_and_the_first_year_skips_nothing_blocking():
    frame = add_mart_columns(mart_rows(), pd.DataFrame(columns=["indicator_code", "classification_year", "value"]),
                             YEAR)
    outcome = validate_frame("indicator_values", frame, mart_parameters_for(frame))
    assert outcome.passed(ERROR) and outcome.passed(WARNING), outcome.failed
    assert np.isnan(frame["nl_yoy_relative_change"]).all()


def test_a_region_without_an_indicator_blocks():
    rows = mart_rows()
    rows = rows[~((rows.region_code == "GM0014") & (rows.indicator_code == "preterm") & (rows.breakdown == "total"))]
    frame = add_mart_columns(rows, rows.iloc[:0][["indicator_code", "classification_year", "value"]], YEAR)
    outcome = validate_frame("indicator_values", frame, mart_parameters_for(frame))
    assert failed_names(outcome, ERROR) == {
        "expect_column_pair_values_to_be_equal(indicators_with_total_in_region, indicators_in_period)"}


def test_coverage_is_counted_per_period():
    """A pooled period ending in the year ('2016-2020') is part of the slice: a region missing an
    indicator in the single year is not hidden by the pooled rows."""
    single = mart_rows()
    single = single[~((single.region_code == "GM0014") & (single.indicator_code == "sga")
                      & (single.breakdown == "total"))]
    pooled = mart_rows().assign(period=f"{YEAR - 4}-{YEAR}", year_from=YEAR - 4)
    rows = pd.concat([single, pooled], ignore_index=True)
    frame = add_mart_columns(rows, rows.iloc[:0][["indicator_code", "classification_year", "value"]], YEAR)
    outcome = validate_frame("indicator_values", frame, mart_parameters_for(frame))
    assert failed_names(outcome, ERROR) == {
        "expect_column_pair_values_to_be_equal(indicators_with_total_in_region, indicators_in_period)"}
    # every single-year row of GM0014 (9 of the slice's 59 rows) says 4 indicators where the period has 5
    assert outcome.failures(ERROR)[0].observed.startswith("9 of 59 values unexpected")


def test_a_missing_region_or_headline_indicator_blocks():
    rows = mart_rows(regions=("GM0363", "NL01"))
    frame = add_mart_columns(rows, rows.iloc[:0][["indicator_code", "classification_year", "value"]], YEAR)
    outcome = validate_frame("indicator_values", frame, mart_parameters_for(frame, ("GM0363", "GM0014", "NL01")))
    assert failed_names(outcome, ERROR) == {"expect_column_distinct_values_to_contain_set(region_code)"}
    rows = mart_rows(national={k: v for k, v in NATIONAL.items() if k != "sga"})
    frame = add_mart_columns(rows, rows.iloc[:0][["indicator_code", "classification_year", "value"]], YEAR)
    outcome = validate_frame("indicator_values", frame, mart_parameters_for(frame))
    assert failed_names(outcome, ERROR) == {"expect_column_distinct_values_to_contain_set(indicator_code)"}
    # ... and the catalogue indicator without data is a warning
    assert failed_names(outcome, WARNING) == {"expect_column_distinct_values_to_equal_set(indicator_code)"}


def test_implausible_national_values_and_jumps_are_warnings():
    previous = mart_rows(YEAR - 1)
    previous = previous[(previous.region_level == "nederland") & (previous.breakdown == "total")]
    rows = mart_rows(national={**NATIONAL, "preterm": 30.0, "sga": 13.0})
    frame = add_mart_columns(rows, previous[["indicator_code", "classification_year", "value"]], YEAR)
    outcome = validate_frame("indicator_values", frame, mart_parameters_for(frame))
    assert outcome.passed(ERROR)
    failed = outcome.failures(WARNING)
    by_rows = {(f.expectation, f.condition) for f in failed}
    assert ("expect_column_values_to_be_between(value)",
            "region_level == 'nederland' and breakdown == 'total' and indicator_code == 'preterm'") in by_rows
    # preterm 7 -> 30 and sga 10 -> 13 (+30%) both jump more than 25% on the previous year
    jumps = [f for f in failed if f.expectation == "expect_column_values_to_be_between(nl_yoy_relative_change)"]
    assert len(jumps) == 1 and jumps[0].observed.startswith("2 of 4 values unexpected")


def test_sii_rows_pass_and_unlisted_values_or_counts_on_them_block():
    rows = mart_rows()
    sii = rows[rows.breakdown == "total"].assign(
        breakdown="sii", breakdown_category="income_quintile", numerator=None, denominator=None, value=-3.5,
        ci95_lower=-5.0, ci95_upper=-2.0, ci998_lower=-5.9, ci998_upper=-1.1, ci_method="sii_normal")
    withheld = sii.iloc[:1].assign(suppressed=True, suppression_reason="quintile_withheld", value=None,
                                   ci_method=None, region_code="GM0014")
    good = pd.concat([rows, sii.iloc[1:], withheld], ignore_index=True)
    frame = add_mart_columns(good, good.iloc[:0][["indicator_code", "classification_year", "value"]], YEAR)
    outcome = validate_frame("indicator_values", frame, mart_parameters_for(frame))
    assert outcome.passed(ERROR), outcome.failed
    bad = good.copy()
    bad.loc[bad.breakdown == "sii", "numerator"] = 5
    bad.loc[bad.suppression_reason == "quintile_withheld", "suppression_reason"] = "sii_withheld"
    bad.loc[bad.ci_method == "sii_normal", "ci_method"] = "sii_simulated"
    frame = add_mart_columns(bad, bad.iloc[:0][["indicator_code", "classification_year", "value"]], YEAR)
    outcome = validate_frame("indicator_values", frame, mart_parameters_for(frame))
    assert failed_names(outcome, ERROR) == {
        "expect_column_values_to_be_null(numerator)", "expect_column_values_to_be_in_set(suppression_reason)",
        "expect_column_values_to_be_in_set(ci_method)"}


# ------------------------------------------------------------------ the reference marts


def test_the_reference_mart_suites_pass_on_the_released_year_and_catch_breakage(released):
    with duckdb.connect(str(released[0].warehouse), read_only=True) as con:
        frames = {m: reference_frame(con, m) for m in REFERENCE_MARTS}
        parameters = {m: reference_parameters(con, m) for m in REFERENCE_MARTS}
    for mart in REFERENCE_MARTS:
        assert not validate_frame(mart, frames[mart], parameters[mart]).failures(ERROR), mart

    indicators = frames["indicators"].iloc[1:]  # a catalogue row lost on the way
    assert "expect_table_row_count_to_be_between" in failed_names(
        validate_frame("indicators", indicators, parameters["indicators"]), ERROR)

    regions = frames["regions"].copy()
    orphan = (regions["region_level"] == "gemeente").idxmax()
    regions.loc[orphan, "parent_ggd_known"] = False
    assert failed_names(validate_frame("regions", regions, parameters["regions"]), ERROR) == {
        "expect_column_values_to_be_in_set(parent_ggd_known)"}

    mangled = frames["regions"].copy()  # UTF-8 read as Windows-1252 must never be published
    mangled.loc[(mangled["region_level"] == "gemeente").idxmax(), "region_name"] = "S\u00c3\u00badwest-Frysl\u00c3\u00a2n"
    assert failed_names(validate_frame("regions", mangled, parameters["regions"]), ERROR) == {
        "expect_column_values_to_not_match_regex(region_name)"}

    mergers = frames["region_mergers"].copy()
    split = mergers["share_total_of_old_code"] < 1.5
    mergers.loc[split.idxmax(), "share_total_of_old_code"] = 0.9  # parts of a split no longer add up
    assert failed_names(validate_frame("region_mergers", mergers, parameters["region_mergers"]), ERROR) == {
        "expect_column_values_to_be_between(share_total_of_old_code)"}


def test_mart_and_reference_suites_read_the_same_in_duckdb_as_in_gx(released):
    with duckdb.connect(str(released[0].warehouse), read_only=True) as con:
        values = mart_frame(con, YEAR)
        cases = [("indicator_values", values, mart_parameters(con, values))]
        cases += [(m, reference_frame(con, m), reference_parameters(con, m)) for m in REFERENCE_MARTS]
    for name, frame, parameters in cases:
        differences, failed, evaluated = compare_engines(name, with_faults(frame), parameters)
        assert differences == [], name
        assert failed >= 2 and evaluated >= 5, name


# ------------------------------------------------------------------ linkage of the linked sources


def test_the_tiny_delivery_links_completely(tiny_warehouse):
    from orchestration.assets.quality.linkage import LINKED_SOURCES, measure_linkage

    assert sorted(LINKED_SOURCES) == ["cbs_linked", "vektis"]
    for source in LINKED_SOURCES:
        found = measure_linkage(tiny_warehouse, source, YEAR)
        assert found.matched_share == 1.0 and found.orphan_rows == 0, found.summary()
        assert not found.problems("blocking") and not found.problems("warning")
    # vektis counts live births only: the stillbirth of the tiny year has no claim and is not missed
    vektis = measure_linkage(tiny_warehouse, "vektis", YEAR)
    assert vektis.births == vektis.rows == measure_linkage(tiny_warehouse, "cbs_linked", YEAR).births - 1


@pytest.mark.parametrize("orphans, missing, blocking, warning", [
    (0, 0, [], []),
    (3, 0, [], ["2.9% of rows match no birth, above 2%"]),
    (43, 0, ["30.1% of rows match no birth, above 10%"], ["30.1% of rows match no birth, above 2%"]),
    (0, 10, [], ["90.0% of births matched, below 95%"]),
    (0, 30, ["70.0% of births matched, below 80%"], ["70.0% of births matched, below 95%"]),
])
def test_linkage_thresholds(orphans, missing, blocking, warning):
    """100 births; the linked source misses `missing` of them and brings `orphans` rows that
    match no birth (43 of 143 rows: 30% orphans, enough to take a third off a national figure)."""
    from orchestration.assets.quality.linkage import measure_linkage

    con = duckdb.connect()
    con.execute("CREATE SCHEMA raw")
    con.execute("CREATE TABLE raw.perined AS SELECT 2020 AS year, 'K' || i AS kind_id, 0 AS sterfte FROM range(100) t(i)")
    con.execute("CREATE TABLE raw.cbs_linked AS SELECT 2020 AS year, 'K' || i AS kind_id FROM range(?, 100) t(i) "
                "UNION ALL SELECT 2020, 'X' || i FROM range(?) t(i)", [missing, orphans])
    found = measure_linkage(con, "cbs_linked", 2020)
    assert (found.problems("blocking"), found.problems("warning")) == (blocking, warning), found.summary()
    assert (found.rows, found.orphan_rows, found.births) == (100 - missing + orphans, orphans, 100)
