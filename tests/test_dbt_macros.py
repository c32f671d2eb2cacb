"""The dbt project's own macros: confidence intervals and the run variables.

The interval macros are compiled by dbt (`dbt compile --inline`), evaluated in DuckDB and
compared with an independent Python implementation and with textbook values. dbt runs in a
subprocess with its target, logs and warehouse in a temporary directory, so the project's
own `target/` (used by dagster-dbt) is left alone.
"""

from __future__ import annotations

import json
import math
import os
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest

PROJECT_DIR = Path(__file__).resolve().parent.parent / "dbt_project"
DBT = Path(sys.executable).parent / "dbt"

Z95 = 1.959964
Z998 = 3.090232


def run_dbt(tmp: Path, *args: str, warehouse: Path | None = None) -> subprocess.CompletedProcess:
    env = dict(os.environ)
    env["KSM_WAREHOUSE"] = str(warehouse or tmp / "warehouse.duckdb")
    env["DBT_SEND_ANONYMOUS_USAGE_STATS"] = "false"
    cmd = [
        str(DBT), *args,
        "--project-dir", str(PROJECT_DIR),
        "--profiles-dir", str(PROJECT_DIR),
        "--target-path", str(tmp / "target"),
        "--log-path", str(tmp / "logs"),
    ]
    return subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=300)


def wilson(x: float, n: float, z: float) -> tuple[float, float]:
    """Wilson score interval, centre +/- half-width form (no continuity correction)."""
    p = x / n
    denom = 1 + z * z / n
    centre = (p + z * z / (2 * n)) / denom
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / denom
    return centre - half, centre + half


def byar(x: float, z: float) -> tuple[float, float]:
    """Byar's approximation of the Poisson interval of a count."""
    lower = x * (1 - 1 / (9 * x) - z / (3 * math.sqrt(x))) ** 3
    upper = (x + 1) * (1 - 1 / (9 * (x + 1)) + z / (3 * math.sqrt(x + 1))) ** 3
    return lower, upper


CASES = [(0, 10), (5, 10), (10, 10), (1, 1000), (150, 1000), (14_000, 170_000), (37, 40)]
RATE_CASES = [(10, 1000), (25, 4_000), (1_100, 170_000), (12, 12)]
# comparison_label: (value, ci95 lower, upper, benchmark, polarity, expected label)
COMPARISONS = [
    (10, 8, 12, 11, "low_is_good", "similar"),
    (10, 8, 12, 13, "low_is_good", "better"),
    (10, 8, 12, 7, "low_is_good", "worse"),
    (10, 8, 12, 13, "high_is_good", "worse"),
    (10, 8, 12, 7, "no_polarity", "higher"),
    (100, None, None, 40, "high_is_good", "better"),  # census: no interval, values compared directly
    (0, None, None, 0, "high_is_good", "similar"),
    (None, None, None, 5, "low_is_good", None),  # withheld row
    (10, 8, 12, None, "low_is_good", None),  # withheld benchmark
]


@pytest.fixture(scope="module")
def interval_values(dbt_scratch) -> dict[str, float]:
    columns = []
    for i, (x, n) in enumerate(CASES):
        for label, z in (("95", "z_95()"), ("998", "z_998()")):
            columns.append(f"{{{{ wilson_lower({x}, {n}, {z}, 100) }}}} as wl{label}_{i}")
            columns.append(f"{{{{ wilson_upper({x}, {n}, {z}, 100) }}}} as wu{label}_{i}")
    for i, (x, n) in enumerate(RATE_CASES):
        for label, z in (("95", "z_95()"), ("998", "z_998()")):
            columns.append(f"{{{{ byar_lower({x}, {n}, {z}, 1000) }}}} as bl{label}_{i}")
            columns.append(f"{{{{ byar_upper({x}, {n}, {z}, 1000) }}}} as bu{label}_{i}")
    for i, (value, lower, upper, benchmark, polarity, _) in enumerate(COMPARISONS):
        args = ", ".join("'null::double'" if a is None else f"'{a}'" for a in (value, lower, upper, benchmark))
        columns.append(f"{{{{ comparison_label({args}, \"'{polarity}'\") }}}} as cmp_{i}")
    columns.append("{{ wilson_lower(0, 0, z_95()) }} as empty_wilson")
    columns.append("{{ byar_upper(3, 0, z_95()) }} as empty_byar")
    inline = "select " + ",\n".join(columns)
    result = run_dbt(dbt_scratch, "compile", "--quiet", "--output", "json", "--inline", inline)
    assert result.returncode == 0, result.stdout + result.stderr
    compiled = json.loads(result.stdout[result.stdout.index("{"):])["compiled"]
    con = duckdb.connect()
    cursor = con.execute(compiled)
    names = [d[0] for d in cursor.description]
    row = cursor.fetchall()[0]
    return dict(zip(names, row))


@pytest.mark.parametrize("i", range(len(CASES)))
def test_wilson_matches_independent_formula(interval_values, i):
    x, n = CASES[i]
    for label, z in (("95", Z95), ("998", Z998)):
        lo, hi = wilson(x, n, z)
        assert interval_values[f"wl{label}_{i}"] == pytest.approx(lo * 100, abs=1e-9)
        assert interval_values[f"wu{label}_{i}"] == pytest.approx(hi * 100, abs=1e-9)
        assert interval_values[f"wl{label}_{i}"] <= 100 * x / n <= interval_values[f"wu{label}_{i}"]


def test_wilson_textbook_values(interval_values):
    # 5 of 10: 23.66% - 76.34%; 0 of 10: 0% - 27.75% (Wilson 1927; Newcombe 1998, method 3)
    assert interval_values["wl95_1"] == pytest.approx(23.66, abs=0.01)
    assert interval_values["wu95_1"] == pytest.approx(76.34, abs=0.01)
    assert interval_values["wl95_0"] == pytest.approx(0.0, abs=1e-9)
    assert interval_values["wu95_0"] == pytest.approx(27.75, abs=0.01)


@pytest.mark.parametrize("i", range(len(RATE_CASES)))
def test_byar_matches_independent_formula(interval_values, i):
    x, n = RATE_CASES[i]
    for label, z in (("95", Z95), ("998", Z998)):
        lo, hi = byar(x, z)
        assert interval_values[f"bl{label}_{i}"] == pytest.approx(max(lo, 0) / n * 1000, abs=1e-9)
        assert interval_values[f"bu{label}_{i}"] == pytest.approx(hi / n * 1000, abs=1e-9)
        assert interval_values[f"bl{label}_{i}"] <= 1000 * x / n <= interval_values[f"bu{label}_{i}"]


def test_byar_close_to_exact_poisson_at_ten(interval_values):
    # exact 95% Poisson limits for 10 events are 4.795 and 18.39
    assert interval_values["bl95_0"] == pytest.approx(4.795, abs=0.01)
    assert interval_values["bu95_0"] == pytest.approx(18.39, abs=0.01)


@pytest.mark.parametrize("i", range(len(COMPARISONS)))
def test_comparison_label(interval_values, i):
    assert interval_values[f"cmp_{i}"] == COMPARISONS[i][-1]


def test_empty_denominator_gives_null(interval_values):
    assert interval_values["empty_wilson"] is None
    assert interval_values["empty_byar"] is None


def test_parse_needs_neither_vars_nor_warehouse(tmp_path):
    warehouse = tmp_path / "absent" / "warehouse.duckdb"
    result = run_dbt(tmp_path, "parse", warehouse=warehouse)
    assert result.returncode == 0, result.stdout + result.stderr
    assert (tmp_path / "target" / "manifest.json").exists()
    assert not warehouse.exists()


def test_year_model_without_build_year_fails_clearly(dbt_scratch, monkeypatch):
    monkeypatch.delenv("KSM_BUILD_YEAR", raising=False)
    result = run_dbt(dbt_scratch, "compile", "--select", "int_births")
    assert result.returncode != 0
    assert "KSM_BUILD_YEAR is not set for model 'int_births'" in result.stdout + result.stderr
    monkeypatch.setenv("KSM_BUILD_YEAR", "23")
    result = run_dbt(dbt_scratch, "compile", "--select", "int_births")
    assert "KSM_BUILD_YEAR must be a four-digit year such as 2023, got '23'" in result.stdout + result.stderr



# The dbt unit tests (unit_tests: in dbt_project/models, `make test-dbt-unit`): run here too so
# that `make test-fast` and `make test` both run them. They need no built warehouse, only a DuckDB
# file to run in (the throwaway one of dbt_scratch, conftest).
MIN_DBT_UNIT_TESTS = 16


def test_dbt_unit_tests_pass(dbt_scratch):
    result = run_dbt(dbt_scratch, "test", "--select", "test_type:unit")
    assert result.returncode == 0, result.stdout + result.stderr
    results = json.loads((dbt_scratch / "target" / "run_results.json").read_text())["results"]
    unit_tests = [r for r in results if r["unique_id"].startswith("unit_test.")]
    failed = [r["unique_id"] for r in unit_tests if r["status"] != "pass"]
    assert not failed, failed
    # the selection ran unit tests only (and the project's on-run-start hook, as every invocation)
    assert len(unit_tests) == len([r for r in results if not r["unique_id"].startswith("operation.")])
    assert len(unit_tests) >= MIN_DBT_UNIT_TESTS, [r["unique_id"] for r in unit_tests]

# The project's multi-column generic tests (tests/generic/), run on a small table with known faults.
FAULTY_ROWS = """create table faulty as select * from (values
    (1, 'a', 'x', 100), (2, null, 'y', 1000), (null, null, 'it''s', 7)) t(id, label, kind, multiplier)"""


@pytest.fixture(scope="module")
def generic_test_rows(dbt_scratch) -> dict[str, list[tuple]]:
    inline = (
        "{{ test_not_null_columns(model='faulty', column_names=['id', 'label', 'kind']) }}"
        " /*split*/ "
        "{{ test_accepted_values_by_column(model='faulty', "
        "values_by_column={'kind': ['x', 'y'], 'multiplier': [100, 1000], 'label': ['a']}) }}"
    )
    result = run_dbt(dbt_scratch, "compile", "--quiet", "--output", "json", "--inline", inline)
    assert result.returncode == 0, result.stdout + result.stderr
    compiled = json.loads(result.stdout[result.stdout.index("{"):])["compiled"]
    not_null_sql, accepted_sql = compiled.split("/*split*/")
    con = duckdb.connect()
    con.execute(FAULTY_ROWS)
    return {"not_null": sorted(con.execute(not_null_sql).fetchall()),
            "accepted": sorted(con.execute(accepted_sql).fetchall())}


def test_not_null_columns_reports_each_column_with_nulls(generic_test_rows):
    assert generic_test_rows["not_null"] == [("id", 1), ("label", 2)]


def test_accepted_values_by_column_reports_unexpected_values(generic_test_rows):
    # NULL labels pass (as with dbt's accepted_values); numbers are compared as numbers
    assert generic_test_rows["accepted"] == [("kind", "it's", 1), ("multiplier", "7", 1)]
