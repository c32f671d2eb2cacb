"""Helpers for the tests that run a suite through both engines: the row-level expectations in
DuckDB (row_checks.py) against Great Expectations evaluating the same suite alone."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd

from orchestration.assets.quality.row_checks import ROW_LEVEL
from orchestration.assets.quality.suites import validate_frame

COMPARED = ("element_count", "unexpected_count", "missing_count", "partial_unexpected_list",
            "partial_unexpected_index_list")


def _key(item: dict) -> str:
    """An expectation as both engines write it: type, kwargs (numbers as floats, GX's batch id
    left out) and severity."""
    config = item["expectation_config"]
    kwargs = {k: (float(v) if isinstance(v, (int, float)) and not isinstance(v, bool) else v)
              for k, v in config["kwargs"].items() if k != "batch_id"}
    return json.dumps([config["type"], kwargs, config.get("severity")], sort_keys=True, default=str)


def _raised(info: dict) -> bool:
    """GX writes an error at the top of `exception_info`, or per metric under its id."""
    if info.get("raised_exception"):
        return True
    return any(isinstance(v, dict) and v.get("raised_exception") for v in info.values())


def _plain(values):
    """As JSON, with pandas' missing values (NaT, NaN, NA) as None: GX lists the missing value of
    the column's type where DuckDB has NULL."""
    def missing_as_none(value):
        if isinstance(value, list):
            return [missing_as_none(v) for v in value]
        if isinstance(value, dict):
            return {k: missing_as_none(v) for k, v in value.items()}
        return None if value in ("NaT", "<NA>") or (isinstance(value, float) and value != value) else value
    return missing_as_none(json.loads(json.dumps(values, default=str))) if values is not None else None


def compare_engines(name: str, frame: pd.DataFrame, parameters: dict, directory=None) -> tuple[list, int, int]:
    """(differences, expectations DuckDB evaluated that failed, expectations DuckDB evaluated):
    every expectation the split validation gave to DuckDB, against GX evaluating the whole
    suite, compared on the verdict, the error, the counts and the listed unexpected values and
    rows. What the split left to GX is GX's own result either way."""
    extra = {"directory": directory} if directory else {}
    by_gx = validate_frame(name, frame, parameters, rows_in_duckdb=False, **extra).result["results"]
    split = validate_frame(name, frame, parameters, **extra).result["results"]
    gx_items, duck_items = {_key(i): i for i in by_gx}, {_key(i): i for i in split}
    assert gx_items.keys() == duck_items.keys()
    differences, failed, evaluated = [], 0, 0
    for key, expected in gx_items.items():
        got = duck_items[key]
        if (got.get("meta") or {}).get("evaluated_in") != "duckdb":
            continue
        assert expected["expectation_config"]["type"] in ROW_LEVEL, key
        evaluated += 1
        failed += not expected["success"]
        if _raised(expected["exception_info"]):
            # what GX cannot evaluate fails in DuckDB too: with an error (a missing column), or
            # where DuckDB can compare (a pair with one value missing in a nullable integer
            # column) as unexpected, as GX counts it in a float column
            if got["success"]:
                differences.append((key, "error", expected["exception_info"], got["result"]))
            continue
        if _raised(got["exception_info"]):
            differences.append((key, "error", expected["result"], got["exception_info"]))
            continue
        if expected["success"] != got["success"]:
            differences.append((key, "success", expected["success"], got["success"]))
        for field in COMPARED:
            a, b = _plain(expected["result"].get(field)), _plain(got["result"].get(field))
            if a != b:
                differences.append((key, field, a, b))
    return differences, failed, evaluated


def with_faults(frame: pd.DataFrame, seed: int = 7) -> pd.DataFrame:
    """The frame with a few faults in every column (missing values, values out of any range or
    set, malformed text) and two rows repeated: every row-level kind gets something to find."""
    rng = np.random.default_rng(seed)
    bad = frame.copy()
    rows = len(bad)
    if rows == 0:
        return bad
    for column in bad.columns:
        picked = rng.choice(rows, size=min(3, rows), replace=False)
        series = bad[column]
        if pd.api.types.is_bool_dtype(series):
            continue
        if pd.api.types.is_integer_dtype(series) and not pd.api.types.is_extension_array_dtype(series):
            bad[column] = series = series.astype(series.dtype.name.capitalize())  # int32 -> Int32, to hold a gap
        if pd.api.types.is_numeric_dtype(series):
            values = [-7, 99_999, None]
        elif pd.api.types.is_datetime64_any_dtype(series):
            values = [pd.Timestamp("1900-01-01"), None]
        else:
            values = ["??", "gm0363 ", None]
        for row, value in zip(picked, values):
            bad.loc[bad.index[row], column] = value
    return pd.concat([bad, bad.iloc[: min(2, rows)]], ignore_index=True)
