r"""The row-level expectations of a suite, evaluated in DuckDB in one pass over the frame.

Great Expectations evaluates column-map expectations on pandas value by value in Python for our
column types (nullable `Int32`, text), which made the source suites a fifth of a yearly build.
The suites in `expectations/` stay the contract and GX stays their reader for everything that is
about the table or a column as a whole (columns, row counts, types, distinct values). The
expectations listed in `ROW_LEVEL` (one verdict per row) are translated here into SQL with GX's
meaning, and counted in one DuckDB query over the same frame GX gets (a uniqueness rule in a
query of its own, over its window). DuckDB takes only what it reads exactly as GX does
(`evaluable`); anything else stays with GX:

- a row is *in scope* when it meets the expectation's `row_condition`, decided by GX's own
  filter on the frame (pandas' rules for missing values in `!=` and `not in` included);
- values are compared only with values of their own kind (numbers with numbers, text with
  text, booleans with booleans): DuckDB would cast '1' to 1 where pandas finds them unequal;
- a regular expression is decided by Python's `re.search` on each distinct text value, as GX
  does (`$` before a final newline, Unicode `\d`), and only on text columns;
- a type list is decided for text columns only, whose values are all `str`: GX's own reading
  of the type names (`value_types_accepted`) says whether a `str` meets it, so every value
  does or none;
- *missing* values are not checked (NULL, or NaN in a float column), except by the null
  expectations; for column pairs a row is missing when both values are, and for compound
  uniqueness when all are (GX's default `ignore_row_if`);
- success: no unexpected value, or with `mostly` the share of expected values among the
  non-missing ones is at least `mostly`;
- each result has GX's shape (`element_count`, `unexpected_count`, `missing_count`, the
  percentages, and the first 20 unexpected values in row order), so the JSON result of a suite
  reads the same whichever engine evaluated an expectation; `meta.evaluated_in` says which.

`tests/test_row_checks.py` runs every kind through both engines on frames with known faults
and requires the same verdicts, counts and examples.
"""

from __future__ import annotations

import json
import math
import re
from collections import Counter
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import duckdb
import numpy as np
import pandas as pd

PARTIAL = 20  # unexpected values listed per expectation, as GX's default result format
_ROW = "__ksm_row"  # the frame's row position, for the examples in row order


@dataclass(frozen=True)
class RowRule:
    """How one expectation type reads as SQL: the columns it checks, when a row is missing,
    and when a checked row is unexpected."""

    columns: list[str]
    missing: str
    unexpected: str
    null_check: bool = False  # not_null / be_null: every row in scope is checked
    window: str | None = None  # a column computed over the rows in scope (uniqueness)


def _q(name: str) -> str:
    return '"' + str(name).replace('"', '""') + '"'


def _literal(value: Any) -> str:
    """A SQL literal for a value from a suite (strings, numbers, booleans, None)."""
    if hasattr(value, "item") and not isinstance(value, (str, bytes)):
        value = value.item()  # numpy scalars
    if value is None:
        return "NULL"
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, (int, float)):
        return repr(value)  # finite: evaluable() leaves NaN and infinity to GX
    return "'" + str(value).replace("'", "''") + "'"


def _in_list(expression: str, values: list) -> str:
    return f"coalesce({expression} IN ({', '.join(_literal(v) for v in values) or 'NULL'}), FALSE)"


def lookup_values(kind: str, kwargs: dict, frame: pd.DataFrame) -> list | None:
    """For a regex expectation, the column's distinct values that are unexpected: GX reads the
    column with pandas' `str.contains`, Python's `re.search`; None for the other kinds."""
    if kind not in ("expect_column_values_to_match_regex", "expect_column_values_to_not_match_regex"):
        return None
    pattern = re.compile(kwargs["regex"])
    matching = kind == "expect_column_values_to_match_regex"
    return [v for v in frame[kwargs["column"]].dropna().unique()
            if bool(pattern.search(str(v))) != matching]


def _rule(kind: str, kwargs: dict, index: int) -> RowRule:
    """The SQL of one row-level expectation (kwargs with its parameters already filled in)."""
    col = kwargs.get("column")
    c = _q(col) if col is not None else None
    if kind == "expect_column_values_to_not_be_null":
        return RowRule([col], "FALSE", f"{c} IS NULL", null_check=True)
    if kind == "expect_column_values_to_be_null":
        return RowRule([col], "FALSE", f"{c} IS NOT NULL", null_check=True)
    if kind == "expect_column_values_to_be_in_set":
        return RowRule([col], f"{c} IS NULL", f"NOT {_in_list(c, list(kwargs['value_set']))}")
    if kind == "expect_column_values_to_be_between":
        lo, hi = kwargs.get("min_value"), kwargs.get("max_value")
        if lo is None and hi is None:
            raise ValueError("min_value and max_value cannot both be None")
        bounds = []
        if lo is not None:
            bounds.append(f"{c} {'>' if kwargs.get('strict_min') else '>='} {_literal(lo)}")
        if hi is not None:
            bounds.append(f"{c} {'<' if kwargs.get('strict_max') else '<='} {_literal(hi)}")
        return RowRule([col], f"{c} IS NULL", f"NOT coalesce({' AND '.join(bounds)}, FALSE)")
    if kind in ("expect_column_values_to_match_regex", "expect_column_values_to_not_match_regex"):
        # the distinct values that fail, decided by Python's re as GX decides (lookup_values)
        return RowRule([col], f"{c} IS NULL", f"{c} IN (SELECT value FROM __ksm_lookup_{index})")
    if kind == "expect_column_values_to_be_unique":
        return RowRule([col], f"{c} IS NULL", f"__ksm_dup_{index} > 1", window=f"PARTITION BY {c}")
    if kind == "expect_column_values_to_be_in_type_list":
        # evaluable() admits only text columns of one kind of value, so the verdict is one for all
        return RowRule([col], f"{c} IS NULL", "FALSE" if value_types_accepted(kwargs["type_list"])[str] else "TRUE")
    if kind == "expect_compound_columns_to_be_unique":
        columns = list(kwargs["column_list"])
        cs = [_q(x) for x in columns]
        return RowRule(columns, " AND ".join(f"{x} IS NULL" for x in cs), f"__ksm_dup_{index} > 1",
                       window=f"PARTITION BY {', '.join(cs)}")
    a, b = kwargs.get("column_A"), kwargs.get("column_B")
    qa, qb = _q(a) if a else None, _q(b) if b else None
    both_missing = f"{qa} IS NULL AND {qb} IS NULL"
    if kind == "expect_column_pair_values_a_to_be_greater_than_b":
        operator = ">=" if kwargs.get("or_equal") else ">"
        return RowRule([a, b], both_missing, f"NOT coalesce({qa} {operator} {qb}, FALSE)")
    if kind == "expect_column_pair_values_to_be_equal":
        return RowRule([a, b], both_missing, f"NOT coalesce({qa} = {qb}, FALSE)")
    if kind == "expect_column_pair_values_to_be_in_set":
        pairs = " OR ".join(f"({qa} = {_literal(x)} AND {qb} = {_literal(y)})" for x, y in kwargs["value_pairs_set"])
        return RowRule([a, b], both_missing, f"NOT coalesce({pairs or 'FALSE'}, FALSE)")
    raise ValueError(f"{kind} is not a row-level expectation")


# the expectation types evaluated here; every other type stays with Great Expectations
ROW_LEVEL = frozenset({
    "expect_column_values_to_not_be_null", "expect_column_values_to_be_null",
    "expect_column_values_to_be_in_set", "expect_column_values_to_be_between",
    "expect_column_values_to_match_regex", "expect_column_values_to_not_match_regex",
    "expect_column_values_to_be_unique", "expect_compound_columns_to_be_unique",
    "expect_column_pair_values_a_to_be_greater_than_b", "expect_column_pair_values_to_be_equal",
    "expect_column_pair_values_to_be_in_set", "expect_column_values_to_be_in_type_list",
})


# the arguments DuckDB reads per kind; an expectation with any other (ignore_row_if,
# condition_parser, result_format, ...) stays with GX
_ARGUMENTS = {
    "expect_column_values_to_not_be_null": {"column"},
    "expect_column_values_to_be_null": {"column"},
    "expect_column_values_to_be_in_set": {"column", "value_set"},
    "expect_column_values_to_be_between": {"column", "min_value", "max_value", "strict_min", "strict_max"},
    "expect_column_values_to_match_regex": {"column", "regex"},
    "expect_column_values_to_not_match_regex": {"column", "regex"},
    "expect_column_values_to_be_unique": {"column"},
    "expect_compound_columns_to_be_unique": {"column_list"},
    "expect_column_pair_values_a_to_be_greater_than_b": {"column_A", "column_B", "or_equal"},
    "expect_column_pair_values_to_be_equal": {"column_A", "column_B"},
    "expect_column_pair_values_to_be_in_set": {"column_A", "column_B", "value_pairs_set"},
    "expect_column_values_to_be_in_type_list": {"column", "type_list"},
}
_EVERY_KIND = {"mostly", "row_condition"}


def _kind_of_column(series: pd.Series) -> str | None:
    """'number', 'text' or 'boolean': the values a column may be compared with in SQL."""
    if pd.api.types.is_bool_dtype(series):
        return "boolean"
    if pd.api.types.is_numeric_dtype(series):
        return "number"
    if isinstance(series.dtype, pd.StringDtype):
        return "text"
    if series.dtype == object and pd.api.types.infer_dtype(series, skipna=True) == "string":
        return "text"  # how GX gets text (suites.for_gx): str values and None
    return None


def _kind_of_value(value: Any) -> str | None:
    if hasattr(value, "item") and not isinstance(value, (str, bytes)):
        value = value.item()
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, (int, float)):
        return "number" if math.isfinite(value) else None
    if isinstance(value, str):
        return "text"
    return None


def evaluable(expectation: dict, frame: pd.DataFrame, parameters: dict) -> bool:
    """True when DuckDB reads this expectation exactly as GX does on `frame`: a row-level kind
    with only the arguments read here, a row condition in GX's serialised form, and values of
    the kind of their column (a number bound on a number column, text in a text column's set,
    finite numbers). Everything else is left to GX, which is never wrong about itself."""
    kind = expectation["type"]
    if kind not in ROW_LEVEL:
        return False
    try:
        kwargs = fill_parameters(dict(expectation.get("kwargs", {})), parameters)
    except KeyError:
        return False
    if set(kwargs) - _ARGUMENTS[kind] - _EVERY_KIND:
        return False
    condition = kwargs.get("row_condition")
    if condition is not None and not isinstance(condition, dict):
        return False
    columns = [kwargs.get(k) for k in ("column", "column_A", "column_B")] + list(kwargs.get("column_list") or [])
    columns = [c for c in columns if c is not None]
    if not columns or any(c not in frame.columns for c in columns):
        return False  # GX reports the missing column in its own words
    mostly = kwargs.get("mostly")
    if mostly is not None and _kind_of_value(mostly) != "number":
        return False

    def comparable(column: str, values) -> bool:
        kind_of = _kind_of_column(frame[column])
        return kind_of is not None and all(_kind_of_value(v) == kind_of for v in values)

    if kind == "expect_column_values_to_be_in_set":
        return isinstance(kwargs.get("value_set"), (list, tuple)) and comparable(kwargs["column"], kwargs["value_set"])
    if kind == "expect_column_values_to_be_between":
        bounds = [kwargs.get("min_value"), kwargs.get("max_value")]
        bounds = [b for b in bounds if b is not None]
        return bool(bounds) and _kind_of_column(frame[kwargs["column"]]) == "number" and comparable(
            kwargs["column"], bounds)
    if kind in ("expect_column_values_to_match_regex", "expect_column_values_to_not_match_regex"):
        return _kind_of_column(frame[kwargs["column"]]) == "text" and isinstance(kwargs.get("regex"), str)
    if kind in ("expect_column_pair_values_a_to_be_greater_than_b", "expect_column_pair_values_to_be_equal"):
        kinds = {_kind_of_column(frame[kwargs["column_A"]]), _kind_of_column(frame[kwargs["column_B"]])}
        return len(kinds) == 1 and kinds <= {"number", "text"}
    if kind == "expect_column_values_to_be_in_type_list":
        # GX checks each value's type only in a column of dtype object: text, as suites.for_gx
        # hands it over (any other dtype, pandas' string dtype too, GX decides by the dtype,
        # cheaply); a text column holds str and perhaps numpy's str_, which is a str
        type_list = kwargs.get("type_list")
        column = frame[kwargs["column"]]
        if (column.dtype != object or _kind_of_column(column) != "text"
                or not isinstance(type_list, (list, tuple)) or not all(isinstance(t, str) for t in type_list)):
            return False
        accepted = value_types_accepted(type_list)
        return accepted is not None and accepted[str] == accepted[np.str_]
    if kind == "expect_column_pair_values_to_be_in_set":
        pairs = kwargs.get("value_pairs_set")
        return (isinstance(pairs, (list, tuple)) and all(isinstance(p, (list, tuple)) and len(p) == 2 for p in pairs)
                and comparable(kwargs["column_A"], [p[0] for p in pairs])
                and comparable(kwargs["column_B"], [p[1] for p in pairs]))
    return True


def value_types_accepted(type_list: list[str]) -> dict[type, bool] | None:
    """Whether a str and a numpy str_ value meet `type_list` as GX's pandas metric for
    `expect_column_values_to_be_in_type_list` decides (numpy's, pandas' and Python's names for
    a type; `isinstance` per value); None when GX would recognise none of the names (its error)."""
    from great_expectations.expectations.type_comparison import native_type_type_map

    types: list = []
    for name in type_list:
        try:
            types.append(np.dtype(name).type)
        except TypeError:
            for home in (pd, pd.core.dtypes.dtypes):
                found = getattr(home, name, None)
                if isinstance(found, type):
                    types.append(found)
        except Exception:  # noqa: BLE001 - numpy's other refusals ('i4,,') are GX's error to report
            return None
        types.extend(native_type_type_map(name) or ())
    if not types:
        return None
    return {kind: isinstance(kind("x"), tuple(types)) for kind in (str, np.str_)}


def fill_parameters(value: Any, parameters: dict) -> Any:
    """A suite's kwargs with `{"$PARAMETER": name}` replaced by the parameter's value."""
    if isinstance(value, dict):
        if "$PARAMETER" in value:
            return parameters[value["$PARAMETER"]]
        return {k: fill_parameters(v, parameters) for k, v in value.items()}
    if isinstance(value, list):
        return [fill_parameters(v, parameters) for v in value]
    return value


def _plain(value: Any) -> Any:
    """A value from DuckDB as GX writes it into a result (JSON-friendly)."""
    if isinstance(value, float) and math.isnan(value):
        return None
    if hasattr(value, "isoformat"):
        return value.isoformat()
    if isinstance(value, Decimal):
        return float(value)
    return value


def _percent(part: int, whole: int) -> float | None:
    return part / whole * 100 if whole else None


def _result(rule: RowRule, kind: str, kwargs: dict, rows: int, missing: int, unexpected: int,
            examples: list[tuple]) -> tuple[bool, dict]:
    """GX's verdict and result fields from the counts and the first unexpected rows."""
    single = len(rule.columns) == 1
    if kind == "expect_compound_columns_to_be_unique":
        values = [dict(zip(rule.columns, map(_plain, row[:-1]))) for row in examples]
    elif single:
        values = [_plain(row[0]) for row in examples]
    else:
        values = [[_plain(v) for v in row[:-1]] for row in examples]
    result: dict[str, Any] = {"element_count": rows, "unexpected_count": unexpected}
    if rule.null_check:
        checked = rows
        result["unexpected_percent"] = _percent(unexpected, rows)
        result["partial_unexpected_list"] = values
    else:
        checked = rows - missing
        result.update({
            "unexpected_percent": _percent(unexpected, checked),
            "partial_unexpected_list": values,
            "missing_count": missing,
            "missing_percent": _percent(missing, rows),
            "unexpected_percent_total": _percent(unexpected, rows),
            "unexpected_percent_nonmissing": _percent(unexpected, checked),
        })
    if single:
        counts = Counter(map(repr, values))
        first = {repr(v): v for v in values}
        result["partial_unexpected_counts"] = [{"value": first[k], "count": n} for k, n in counts.most_common()]
    result["partial_unexpected_index_list"] = [int(row[-1]) for row in examples]
    mostly = kwargs.get("mostly")
    if mostly is None:
        success = unexpected == 0
    else:
        success = checked == 0 or (checked - unexpected) / checked >= float(mostly)
    return success, result


def _config(expectation: dict, kwargs: dict) -> dict:
    config = {"type": expectation["type"], "kwargs": kwargs, "meta": expectation.get("meta") or {}}
    for key in ("description", "severity", "notes", "id"):
        if expectation.get(key) is not None:
            config[key] = expectation[key]
    return config


def _item(expectation: dict, kwargs: dict, success: bool, result: dict, error: str | None = None) -> dict:
    return {
        "success": success,
        "expectation_config": _config(expectation, kwargs),
        "result": result,
        "meta": {"evaluated_in": "duckdb"},
        "exception_info": {"raised_exception": error is not None, "exception_traceback": None,
                           "exception_message": error},
    }


def scope_masks(frame: pd.DataFrame, conditions: list[dict]) -> list[np.ndarray]:
    """Which rows each row condition keeps, decided by GX's own filter on the frame (the same
    pandas query GX runs before a column-map expectation)."""
    from great_expectations.execution_engine import PandasExecutionEngine

    engine = PandasExecutionEngine()
    positions = frame.reset_index(drop=True)
    masks = []
    for condition in conditions:
        kept = engine._apply_row_condition_filter(positions, condition, {}).index
        mask = np.zeros(len(frame), dtype=bool)
        mask[np.asarray(kept, dtype="int64")] = True
        masks.append(mask)
    return masks


def evaluate(frame: pd.DataFrame, expectations: list[dict], parameters: dict) -> list[dict]:
    """GX-shaped results of the row-level `expectations` on `frame` (each `evaluable`), in
    their order: one pass for the counts (a uniqueness rule apart, over its window), then one
    small query per failed expectation for its first examples. An expectation that cannot be
    evaluated fails with its error, as in GX, without stopping the others."""
    planned: list[tuple[dict, dict, RowRule | None, str]] = []
    conditions: dict[str, int] = {}  # a row condition's JSON -> its scope column
    lookups: dict[int, list] = {}
    for index, expectation in enumerate(expectations):
        kwargs = fill_parameters(dict(expectation.get("kwargs", {})), parameters)
        try:
            rule = _rule(expectation["type"], kwargs, index)
            found = lookup_values(expectation["type"], kwargs, frame)
            if found is not None:
                lookups[index] = found
            scope = "TRUE"
            if kwargs.get("row_condition"):
                key = json.dumps(kwargs["row_condition"], sort_keys=True, default=str)
                scope = f"__ksm_scope_{conditions.setdefault(key, len(conditions))}"
            planned.append((expectation, kwargs, rule, scope))
        except (KeyError, ValueError, TypeError, re.error) as exc:
            planned.append((expectation, kwargs, None, f"{type(exc).__name__}: {exc}"))
    try:
        masks = scope_masks(frame, [json.loads(k) for k in conditions])
    except Exception as exc:  # noqa: BLE001 - a condition GX cannot apply fails its expectations
        error = f"row condition: {type(exc).__name__}: {exc}".splitlines()[0]
        planned = [(e, k, None, error) if r is not None and s != "TRUE" else (e, k, r, s) for e, k, r, s in planned]
        masks = [np.zeros(len(frame), dtype=bool) for _ in conditions]

    con = duckdb.connect()
    try:
        # DuckDB scans the frame where it is (no copy); the row position and the row conditions'
        # scopes travel as columns (a window over an unordered scan would not keep the order)
        extra = {_ROW: np.arange(len(frame), dtype="int64")}
        extra.update({f"__ksm_scope_{n}": mask for n, mask in enumerate(masks)})
        con.register("slice", frame.assign(**extra))
        for index, values in lookups.items():
            con.register(f"__ksm_lookup_{index}", pd.DataFrame({"value": pd.Series(values, dtype=object)}))
        counts = _count_all(con, planned)
        results = []
        for index, (expectation, kwargs, rule, scope) in enumerate(planned):
            if rule is None or isinstance(counts[index], str):
                error = scope if rule is None else counts[index]
                results.append(_item(expectation, kwargs, False, {}, error))
                continue
            rows, missing, unexpected = counts[index]
            try:
                examples = _examples(con, rule, scope, index) if unexpected else []
            except duckdb.Error as exc:
                results.append(_item(expectation, kwargs, False, {}, f"{type(exc).__name__}: {exc}".splitlines()[0]))
                continue
            success, result = _result(rule, expectation["type"], kwargs, rows, missing, unexpected, examples)
            results.append(_item(expectation, kwargs, success, result))
        return results
    finally:
        con.close()


def _scoped(rule: RowRule, scope: str, index: int) -> str:
    """The rows in scope with the columns a rule reads, and the window column of a uniqueness rule."""
    columns = ", ".join([_q(c) for c in rule.columns] + [_ROW])
    window = ""
    if rule.window:
        window = f", count(*) FILTER (WHERE NOT ({rule.missing})) OVER ({rule.window}) AS __ksm_dup_{index}"
    return f"SELECT {columns}{window} FROM slice WHERE {scope}"


def _aggregates(rule: RowRule, scope: str, index: int) -> str:
    unexpected = rule.unexpected
    checked = f"({scope}) AND NOT ({rule.missing})"
    return (f"count(*) FILTER (WHERE {scope}), count(*) FILTER (WHERE ({scope}) AND ({rule.missing})), "
            f"count(*) FILTER (WHERE {checked} AND coalesce({unexpected}, TRUE))")


def _count_all(con, planned: list) -> list:
    """(rows, missing, unexpected) per planned expectation in one query over the slice; when it
    fails, each expectation alone, so an error names its own expectation."""
    ready = [(i, rule, scope) for i, (_e, _k, rule, scope) in enumerate(planned) if rule is not None]
    counts: list = [None] * len(planned)
    if not ready:
        return counts
    windows = [(i, rule, scope) for i, rule, scope in ready if rule.window]
    # a uniqueness window needs its own scope: those are counted one by one, the rest in one pass
    plain = [(i, rule, scope) for i, rule, scope in ready if not rule.window]
    try:
        if plain:
            row = con.execute("SELECT " + ", ".join(_aggregates(r, s, i) for i, r, s in plain) + " FROM slice"
                              ).fetchall()[0]
            for n, (i, _r, _s) in enumerate(plain):
                counts[i] = tuple(int(x) for x in row[3 * n:3 * n + 3])
    except duckdb.Error:
        for i, rule, scope in plain:
            counts[i] = _count_one(con, rule, scope, i)
    for i, rule, scope in windows:
        counts[i] = _count_one(con, rule, scope, i)
    return counts


def _count_one(con, rule: RowRule, scope: str, index: int):
    try:
        sql = f"SELECT {_aggregates(rule, 'TRUE', index)} FROM ({_scoped(rule, scope, index)})"
        return tuple(int(x) for x in con.execute(sql).fetchall()[0])
    except duckdb.Error as exc:
        return f"{type(exc).__name__}: {exc}".splitlines()[0]


def _examples(con, rule: RowRule, scope: str, index: int) -> list[tuple]:
    """The first unexpected rows in frame order: the checked columns and the row position."""
    columns = ", ".join(_q(c) for c in rule.columns)
    sql = (f"SELECT {columns}, {_ROW} FROM ({_scoped(rule, scope, index)}) "
           f"WHERE NOT ({rule.missing}) AND coalesce({rule.unexpected}, TRUE) ORDER BY {_ROW} LIMIT {PARTIAL}")
    return con.execute(sql).fetchall()
