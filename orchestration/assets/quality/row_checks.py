"""The row-level expectations of a suite, evaluated in DuckDB in one pass over the frame.

Great Expectations evaluates column-map expectations on pandas value by value in Python for our
column types (nullable `Int32`, text), which made the source suites a fifth of a yearly build.
The suites in `expectations/` stay the contract and GX stays their reader for everything that is
about the table or a column as a whole (columns, row counts, types, distinct values). The
expectations listed in `ROW_LEVEL` (one verdict per row) are translated here into SQL with GX's
meaning, and counted in one DuckDB query over the same frame GX gets (a uniqueness rule in a
query of its own, over its window):

- a row is *in scope* when it meets the expectation's `row_condition`;
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

import math
from collections import Counter
from dataclasses import dataclass
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
    params: tuple = ()


def _q(name: str) -> str:
    return '"' + str(name).replace('"', '""') + '"'


def _literal(value: Any) -> str:
    """A SQL literal for a value from a suite (strings, numbers, booleans, None)."""
    if value is None:
        return "NULL"
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, (int, float)):
        if isinstance(value, float) and not math.isfinite(value):
            return f"'{value}'::DOUBLE"
        return repr(value)
    return "'" + str(value).replace("'", "''") + "'"


def condition_sql(condition: Any) -> str:
    """GX's serialised row condition (comparisons joined by and/or, nullity) as SQL."""
    if not condition:
        return "TRUE"
    kind = condition.get("type") if isinstance(condition, dict) else None
    if kind in ("and", "or"):
        return "(" + f" {kind.upper()} ".join(condition_sql(c) for c in condition["conditions"]) + ")"
    if kind == "nullity":
        return f"({_q(condition['column']['name'])} IS {'' if condition['is_null'] else 'NOT '}NULL)"
    if kind == "comparison":
        column, operator, parameter = _q(condition["column"]["name"]), condition["operator"], condition["parameter"]
        if operator in ("IN", "NOT_IN"):
            values = ", ".join(_literal(v) for v in parameter) or "NULL"
            negate = "NOT " if operator == "NOT_IN" else ""
            return f"coalesce({column} {negate}IN ({values}), FALSE)"
        operator = {"==": "="}.get(operator, operator)
        if operator not in ("=", "!=", "<", "<=", ">", ">="):
            raise ValueError(f"row condition operator {operator!r} is not supported")
        return f"coalesce({column} {operator} {_literal(parameter)}, FALSE)"
    raise ValueError(f"row condition {condition!r} is not supported in DuckDB")


def _in_list(expression: str, values: list) -> str:
    return f"coalesce({expression} IN ({', '.join(_literal(v) for v in values) or 'NULL'}), FALSE)"


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
        matches = f"regexp_matches(CAST({c} AS VARCHAR), {_literal(kwargs['regex'])})"
        negate = "NOT " if kind == "expect_column_values_to_match_regex" else ""
        return RowRule([col], f"{c} IS NULL", f"{negate}{matches}")
    if kind == "expect_column_values_to_be_unique":
        return RowRule([col], f"{c} IS NULL", f"__ksm_dup_{index} > 1", window=f"PARTITION BY {c}")
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
    "expect_column_pair_values_to_be_in_set",
})


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
    if type(value).__name__ == "Decimal":
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


def evaluate(frame: pd.DataFrame, expectations: list[dict], parameters: dict) -> list[dict]:
    """GX-shaped results of the row-level `expectations` on `frame`, in their order: one pass
    for the counts (a uniqueness rule apart, over its window), then one small query per failed
    expectation for its first examples. An
    expectation that cannot be evaluated (a column missing, a type that does not compare) fails
    with its error, as in GX, without stopping the others."""
    con = duckdb.connect()
    try:
        # DuckDB scans the frame where it is (no copy); the row position travels as a column,
        # since a window over an unordered scan would not keep it
        con.register("slice", frame.assign(**{_ROW: np.arange(len(frame), dtype="int64")}))
        planned: list[tuple[dict, dict, RowRule | None, str | None]] = []
        for index, expectation in enumerate(expectations):
            kwargs = fill_parameters(dict(expectation.get("kwargs", {})), parameters)
            try:
                rule = _rule(expectation["type"], kwargs, index)
                scope = condition_sql(kwargs.get("row_condition"))
                planned.append((expectation, kwargs, rule, scope))
            except (KeyError, ValueError, TypeError) as exc:
                planned.append((expectation, kwargs, None, f"{type(exc).__name__}: {exc}"))
        counts = _count_all(con, planned)
        results = []
        for index, (expectation, kwargs, rule, scope) in enumerate(planned):
            if rule is None or isinstance(counts[index], str):
                error = scope if rule is None else counts[index]
                results.append(_item(expectation, kwargs, False, {}, error))
                continue
            rows, missing, unexpected = counts[index]
            examples = _examples(con, rule, scope, index) if unexpected else []
            success, result = _result(rule, expectation["type"], kwargs, rows, missing, unexpected, examples)
            results.append(_item(expectation, kwargs, success, result))
        return results
    finally:
        con.close()


def _scoped(rule: RowRule, scope: str, index: int) -> str:
    """The rows in scope, with the window column of a uniqueness rule."""
    window = ""
    if rule.window:
        window = f", count(*) FILTER (WHERE NOT ({rule.missing})) OVER ({rule.window}) AS __ksm_dup_{index}"
    return f"SELECT *{window} FROM slice WHERE {scope}"


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
