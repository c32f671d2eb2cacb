"""Are two published files the same, row for row? The bar of a refactoring of the warehouse.

    .venv/bin/python bench/compare_published.py A/published/monitor.duckdb B/published/monitor.duckdb

Build A (before) and B (after) from the same inbox (`ksm demo-data` is deterministic: same
--years, --scale and --seed give the same extracts), each in a fresh KSM_HOME with
`ksm run --all`, then compare. For every released table (indicator_values, indicators, regions,
region_mergers) it prints the rows of A missing from B and of B missing from A (EXCEPT ALL both
ways, so duplicates count), leaving out the columns that say when or as which version a row was
released (release_version, release_year, released_at). Also a difference in the columns
themselves (names or types) counts. Exit status 0 when every table is equal, 1 otherwise.
--show N prints up to N differing rows per direction.
"""

from __future__ import annotations

import argparse
import contextlib
import sys

import duckdb

TABLES = ["indicator_values", "indicators", "regions", "region_mergers"]
RELEASE_COLUMNS = {"release_version", "release_year", "released_at"}


def columns(con: duckdb.DuckDBPyConnection, schema: str, table: str) -> list[tuple[str, str]]:
    return [(name, kind) for name, kind in con.execute(
        "SELECT column_name, data_type FROM duckdb_columns() WHERE database_name = ? AND table_name = ? "
        "ORDER BY column_index", [schema, table]).fetchall()]


def compare(a: str, b: str, show: int = 0) -> dict[str, tuple[int, int, str]]:
    """Per table: (rows only in A, rows only in B, a note on the columns)."""
    result = {}
    with contextlib.closing(duckdb.connect()) as con:
        con.execute(f"ATTACH '{a}' AS a (READ_ONLY)")
        con.execute(f"ATTACH '{b}' AS b (READ_ONLY)")
        for table in TABLES:
            cols_a, cols_b = columns(con, "a", table), columns(con, "b", table)
            if not cols_a or not cols_b:
                result[table] = (-1, -1, f"missing in {'A' if not cols_a else 'B'}")
                continue
            note = "" if cols_a == cols_b else f"columns differ: A {cols_a} B {cols_b}"
            kept = [name for name, _ in cols_a if name not in RELEASE_COLUMNS and name in dict(cols_b)]
            select = ", ".join(f'"{name}"' for name in kept)
            counts = []
            for left, right in (("a", "b"), ("b", "a")):
                query = (f"SELECT {select} FROM {left}.main.{table} "
                         f"EXCEPT ALL SELECT {select} FROM {right}.main.{table}")
                counts.append(con.execute(f"SELECT count(*) FROM ({query})").fetchone()[0])
                if show and counts[-1]:
                    print(f"-- {table}: rows only in {left.upper()}")
                    for row in con.execute(f"{query} LIMIT {int(show)}").fetchall():
                        print("  ", row)
            result[table] = (counts[0], counts[1], note)
    return result


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("a", help="published/monitor.duckdb of the reference build")
    parser.add_argument("b", help="published/monitor.duckdb of the build to check")
    parser.add_argument("--show", type=int, default=0, help="print up to N differing rows per direction")
    args = parser.parse_args(argv)
    result = compare(args.a, args.b, args.show)
    equal = True
    print(f"{'table':<18} {'only in A':>10} {'only in B':>10}")
    for table, (only_a, only_b, note) in result.items():
        print(f"{table:<18} {only_a:>10} {only_b:>10} {note}")
        equal = equal and only_a == 0 and only_b == 0 and not note
    print("equal" if equal else "DIFFERENT")
    return 0 if equal else 1


if __name__ == "__main__":
    sys.exit(main())
