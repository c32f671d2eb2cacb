"""The row-level expectations in DuckDB (row_checks.py) read as Great Expectations reads them:
every kind, with missing values, row conditions, `mostly`, strict bounds, an empty scope and
errors, through both engines on one frame. The suites of `expectations/` are compared the same
way on the tiny delivery and the released marts in tests/test_quality.py."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from orchestration.assets.quality.row_checks import ROW_LEVEL, evaluable, fill_parameters
from orchestration.assets.quality.suites import for_gx, validate_frame
from suite_engines import compare_engines


def _eq(column, value):
    return {"column": {"name": column}, "operator": "==", "parameter": value, "type": "comparison"}


FRAME = pd.DataFrame({
    "code": pd.array(["GM0363", "GM0014", None, "GM0363", "gm12", "GM0599", "GM0014", None], dtype="str"),
    "level": pd.array(["gemeente", "gemeente", "gemeente", "ggd", None, "gemeente", "ggd", "ggd"], dtype="str"),
    "n": pd.array([1, 5, None, 7, 7, 0, 3, 9], dtype="Int32"),
    "weeks": np.array([22, 30, 45, 21, 46, 40, 40, 38], dtype="int32"),
    "share": [0.1, np.nan, 0.5, 1.0, 1.2, np.nan, 0.0, -0.1],
    "total": [1.0, 5.0, np.nan, 7.0, 6.0, 0.0, 3.0, np.nan],
    "unit": pd.array(["%", "%", "per 1000", "%", None, "per 1000", "%", "x"], dtype="str"),
    "multiplier": [100, 100, 1000, 1000, 100, 1000, 100, 1],
    "flag": [True, False, True, True, False, True, True, True],
    # Python's re: '$' before a final newline, Unicode digits for \d
    "note": pd.array(["GM0001\n", "GM0363", None, "GM\uff10\uff13\uff16\uff13", "x", "GM0014 ", "", "GM0599"],
                     dtype="str"),
})


def _ne(column, value):
    return {"column": {"name": column}, "operator": "!=", "parameter": value, "type": "comparison"}

KINDS = [
    ("expect_column_values_to_not_be_null", {"column": "code"}),
    ("expect_column_values_to_not_be_null", {"column": "code", "row_condition": _eq("level", "gemeente")}),
    ("expect_column_values_to_be_null", {"column": "share", "row_condition": _eq("level", "ggd")}),
    ("expect_column_values_to_be_in_set", {"column": "code", "value_set": ["GM0363", "GM0014"]}),
    ("expect_column_values_to_be_in_set", {"column": "code", "value_set": ["GM0363", "GM0014"], "mostly": 0.5}),
    ("expect_column_values_to_be_in_set", {"column": "code", "value_set": ["GM0363"], "mostly": 0.9}),
    ("expect_column_values_to_be_in_set", {"column": "n", "value_set": [1, 5, 7]}),
    ("expect_column_values_to_be_in_set", {"column": "flag", "value_set": [True]}),
    ("expect_column_values_to_be_in_set", {"column": "code", "value_set": {"$PARAMETER": "codes"}}),
    ("expect_column_values_to_be_between", {"column": "weeks", "min_value": 22.0, "max_value": 45.0}),
    ("expect_column_values_to_be_between", {"column": "n", "min_value": 0, "max_value": 6, "strict_min": True}),
    ("expect_column_values_to_be_between", {"column": "share", "min_value": 0.0, "max_value": 1.0, "strict_max": True}),
    ("expect_column_values_to_be_between", {"column": "share", "max_value": 0.5}),
    ("expect_column_values_to_be_between", {"column": "n", "min_value": 2,
                                            "row_condition": {"type": "and", "conditions": [
                                                _eq("level", "ggd"), {"type": "nullity", "column": {"name": "code"},
                                                                      "is_null": False}]}}),
    ("expect_column_values_to_be_between", {"column": "weeks", "min_value": 30, "max_value": 40,
                                            "row_condition": {"column": {"name": "code"}, "operator": "IN",
                                                              "parameter": ["GM0014", "GM0599"], "type": "comparison"}}),
    ("expect_column_values_to_be_between", {"column": "weeks", "min_value": 30,
                                            "row_condition": _eq("level", "provincie")}),  # nothing in scope
    ("expect_column_values_to_match_regex", {"column": "code", "regex": "^GM[0-9]{4}$"}),
    ("expect_column_values_to_not_match_regex", {"column": "level", "regex": "gg"}),
    ("expect_column_values_to_be_unique", {"column": "code"}),
    ("expect_column_values_to_be_unique", {"column": "weeks", "row_condition": _eq("level", "gemeente")}),
    ("expect_compound_columns_to_be_unique", {"column_list": ["level", "weeks"]}),
    ("expect_compound_columns_to_be_unique", {"column_list": ["code", "n"]}),
    ("expect_column_pair_values_a_to_be_greater_than_b", {"column_A": "weeks", "column_B": "n", "or_equal": True}),
    ("expect_column_pair_values_a_to_be_greater_than_b", {"column_A": "total", "column_B": "share"}),
    ("expect_column_pair_values_to_be_equal", {"column_A": "total", "column_B": "share"}),
    ("expect_column_pair_values_to_be_in_set", {"column_A": "unit", "column_B": "multiplier",
                                                "value_pairs_set": [["%", 100], ["per 1000", 1000]]}),
    ("expect_column_values_to_match_regex", {"column": "note", "regex": "^GM[0-9]{4}$"}),
    ("expect_column_values_to_match_regex", {"column": "note", "regex": r"^GM\d{4}$"}),
    ("expect_column_values_to_not_match_regex", {"column": "note", "regex": "1$"}),
    ("expect_column_values_to_be_in_type_list", {"column": "code", "type_list": ["str"]}),
    ("expect_column_values_to_be_in_type_list", {"column": "level", "type_list": ["int32", "Int32Dtype"]}),
    ("expect_column_values_to_be_in_type_list", {"column": "unit", "type_list": ["float"], "mostly": 0.5,
                                                 "row_condition": _eq("level", "gemeente")}),
    ("expect_column_values_to_be_in_type_list", {"column": "note", "type_list": ["string_types", "bool"]}),
    # pandas keeps a missing value in '!=' and 'not in' for text and float columns, not for Int32
    ("expect_column_values_to_not_be_null", {"column": "total", "row_condition": _ne("level", "ggd")}),
    ("expect_column_values_to_be_between", {"column": "weeks", "max_value": 40,
                                            "row_condition": _ne("share", 0.5)}),
    ("expect_column_values_to_be_between", {"column": "weeks", "max_value": 40, "row_condition": _ne("n", 7)}),
    ("expect_column_values_to_be_in_set", {"column": "weeks", "value_set": [21, 22, 30],
                                           "row_condition": {"column": {"name": "code"}, "operator": "NOT_IN",
                                                             "parameter": ["GM0363"], "type": "comparison"}}),
]

# what DuckDB would read differently from GX stays with GX
LEFT_TO_GX = [
    ("expect_column_values_to_be_in_set", {"column": "n", "value_set": ["1", "5"]}),  # DuckDB casts '1' to 1
    ("expect_column_values_to_be_in_set", {"column": "flag", "value_set": ["true"]}),
    ("expect_column_pair_values_to_be_in_set", {"column_A": "unit", "column_B": "multiplier",
                                                "value_pairs_set": [["%", "100"]]}),
    ("expect_column_values_to_match_regex", {"column": "flag", "regex": "True"}),  # str(True) is not 'true'
    ("expect_compound_columns_to_be_unique", {"column_list": ["code", "n"], "ignore_row_if": "never"}),
    ("expect_column_values_to_be_between", {"column": "share", "max_value": float("nan")}),
    ("expect_column_values_to_be_in_set", {"column": "no_such_column", "value_set": [1]}),
    ("expect_column_values_to_be_in_set", {"column": "code", "value_set": ["GM0363"], "mostly": "0.5"}),
    # a type list: GX decides other dtypes by the dtype; names it does not know are its error;
    # numpy's str_ alone admits numpy's text but not a plain str
    ("expect_column_values_to_be_in_type_list", {"column": "n", "type_list": ["int32", "Int32Dtype"]}),
    ("expect_column_values_to_be_in_type_list", {"column": "code", "type_list": ["no_such_type"]}),
    ("expect_column_values_to_be_in_type_list", {"column": "code", "type_list": ["str_"]}),
    ("expect_column_values_to_be_in_type_list", {"column": "code", "type_list": ["i4,,"]}),  # numpy refuses it
]


def test_a_type_list_on_pandas_string_dtype_stays_with_gx():
    """GX decides a column of pandas' string dtype by its dtype, not value by value."""
    kind, kwargs = "expect_column_values_to_be_in_type_list", {"column": "code", "type_list": ["str"]}
    assert not evaluable({"type": kind, "kwargs": kwargs}, FRAME, {})
    assert evaluable({"type": kind, "kwargs": kwargs}, for_gx(FRAME), {})


@pytest.fixture
def suite_dir(tmp_path):
    expectations = [{"type": kind, "kwargs": kwargs, "severity": "critical"} for kind, kwargs in KINDS + LEFT_TO_GX]
    expectations.append({"type": "expect_table_row_count_to_be_between", "kwargs": {"min_value": 1},
                         "severity": "critical"})
    (tmp_path / "kinds.json").write_text(json.dumps({"name": "kinds", "expectations": expectations}))
    return tmp_path


def test_every_row_level_kind_is_covered():
    assert {kind for kind, _ in KINDS} == ROW_LEVEL


def test_each_kind_reads_as_great_expectations_reads_it(suite_dir):
    differences, failed, evaluated = compare_engines("kinds", FRAME, {"codes": ["GM0363", "GM0014", "GM0599"]},
                                                     suite_dir)
    assert differences == []
    assert evaluated == len(KINDS)  # every case of KINDS in DuckDB, none of LEFT_TO_GX
    assert failed >= 20  # the frame's faults are found, not just agreed on


@pytest.mark.parametrize("kind, kwargs", LEFT_TO_GX + [
    ("expect_column_values_to_be_between", {"column": "code", "min_value": "GM0001"})])  # GX refuses it too
def test_what_duckdb_would_read_differently_stays_with_gx(kind, kwargs):
    assert not evaluable({"type": kind, "kwargs": kwargs}, for_gx(FRAME), {})  # the frame as GX gets it


def test_every_kind_of_kinds_is_evaluable_in_duckdb():
    parameters = {"codes": ["GM0363"]}
    assert all(evaluable({"type": kind, "kwargs": kwargs}, for_gx(FRAME), parameters) for kind, kwargs in KINDS)


def test_results_say_which_engine_and_keep_gx_shape(suite_dir):
    outcome = validate_frame("kinds", FRAME, {"codes": ["GM0363"]}, directory=suite_dir)
    assert outcome.result["ksm"]["evaluated_in"] == {"great_expectations": len(LEFT_TO_GX) + 1, "duckdb": len(KINDS)}
    assert outcome.result["statistics"]["evaluated_expectations"] == len(KINDS) + len(LEFT_TO_GX) + 1
    assert outcome.result["success"] is False
    in_set = {f.observed for f in outcome.failed if f.expectation == "expect_column_values_to_be_in_set(code)"}
    assert "2 of 6 values unexpected (33.3%), e.g. 'gm12', 'GM0599'" in in_set
    error = next(f for f in outcome.failed if "no_such_column" in f.expectation)
    assert error.observed.startswith("error: ") and "no_such_column" in error.observed


def test_parameters_are_filled_in():
    assert fill_parameters({"value_set": {"$PARAMETER": "codes"}, "x": [1]}, {"codes": ["GM0363"]}) == {
        "value_set": ["GM0363"], "x": [1]}


def test_gx_still_has_the_setting_that_skips_its_frame_fingerprint():
    """In a fresh process: a validation in this one may already have set it."""
    import subprocess
    import sys

    found = subprocess.run([sys.executable, "-c", "from great_expectations.execution_engine import "
                            "pandas_execution_engine as e; print(hasattr(e, 'HASH_THRESHOLD'))"],
                           capture_output=True, text=True, env={"GX_ANALYTICS_ENABLED": "false", "PATH": ""})
    assert found.stdout.strip() == "True", found.stdout + found.stderr
