"""Reconciliation across layers: the marts against the raw records they were built from.

dbt's own tests (dbt_project/tests/) already check the layers against each other: Nederland's
denominator against staging, regions against their member gemeenten, Nederland against the
gemeenten plus the unknown bucket, and the unknown bucket against int_births. The checks here
start from `raw.perined` instead, counted with their own SQL, so that a record lost or doubled
anywhere between the ingest and the marts (staging filter, harmonisation join, rollup) shows:

- `national_counts`: the national numerator and denominator of big2, preterm, sga and perinatal
  mortality in `intermediate.int_indicator_counts` and in `marts.indicator_values` (unless
  withheld) equal the counts over all raw Perined births of the year;
- `births_placed_once`: every raw birth is in `intermediate.int_births` exactly once, and in
  exactly one place: a gemeente of the target classification or the unknown bucket; the
  gemeenten plus the unknown bucket of int_indicator_counts add up to the raw births.

A birth is a live birth (sterfte 0, 3, 4, 5) or a stillbirth (sterfte 1-2) from 24 weeks.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import duckdb

RAW_BIRTHS = """
    SELECT * FROM raw.perined
    WHERE year = $year AND (sterfte IN (0, 3, 4, 5) OR (sterfte IN (1, 2) AND amww >= 24))
"""

# indicator -> (numerator condition, denominator condition) over raw.perined births
RAW_DEFINITIONS = {
    "big2": ("amww < 37 OR hoftiezer < 10", "true"),
    "preterm": ("amww < 37", "true"),
    "sga": ("hoftiezer < 10", "hoftiezer IS NOT NULL"),
    "perinatal_mortality": ("sterfte BETWEEN 1 AND 4", "true"),
}


@dataclass
class Reconciliation:
    name: str
    passed: bool
    summary: str
    rows: list[dict] = field(default_factory=list)
    examples: list = field(default_factory=list)

    def as_dict(self) -> dict:
        return {"check": self.name, "passed": self.passed, "summary": self.summary, "rows": self.rows,
                "examples": self.examples}


def _dicts(cursor) -> list[dict]:
    columns = [d[0] for d in cursor.description]
    return [dict(zip(columns, row)) for row in cursor.fetchall()]


def national_counts(con: duckdb.DuckDBPyConnection, year: int) -> Reconciliation:
    """Nederland's numerator and denominator of big2, preterm, sga and perinatal mortality (in
    int_indicator_counts, and in indicator_values unless withheld) equal the counts over the raw
    Perined births of the year."""
    expected_sql = " UNION ALL ".join(
        f"SELECT '{code}' AS indicator_code, count(*) FILTER (WHERE {num}) AS numerator, "
        f"count(*) FILTER (WHERE {den}) AS denominator FROM births"
        for code, (num, den) in RAW_DEFINITIONS.items()
    )
    codes = ", ".join(f"'{c}'" for c in RAW_DEFINITIONS)
    rows = _dicts(con.execute(
        f"""
        WITH births AS ({RAW_BIRTHS}),
        expected AS ({expected_sql}),
        layers AS (
            SELECT 'intermediate.int_indicator_counts' AS layer, indicator_code, classification_year,
                   numerator, denominator, false AS suppressed
            FROM intermediate.int_indicator_counts
            WHERE year = $year AND period = CAST($year AS VARCHAR) AND region_level = 'nederland'
              AND breakdown = 'total' AND indicator_code IN ({codes})
            UNION ALL
            SELECT 'marts.indicator_values', indicator_code, classification_year, numerator, denominator, suppressed
            FROM marts.indicator_values
            WHERE year_to = $year AND period = CAST($year AS VARCHAR) AND region_level = 'nederland'
              AND breakdown = 'total' AND indicator_code IN ({codes})
        )
        SELECT e.indicator_code, l.layer, l.classification_year,
               e.numerator AS raw_numerator, e.denominator AS raw_denominator,
               l.numerator, l.denominator, coalesce(l.suppressed, false) AS suppressed,
               CASE
                   WHEN l.layer IS NULL THEN false
                   WHEN l.suppressed THEN true
                   ELSE l.numerator = e.numerator AND l.denominator = e.denominator
               END AS ok
        FROM expected AS e
        LEFT JOIN layers AS l ON l.indicator_code = e.indicator_code
        ORDER BY e.indicator_code, l.layer, l.classification_year
        """,
        {"year": year},
    ))
    missing_layers = [
        f"{code} in {layer}" for code in RAW_DEFINITIONS
        for layer in ("intermediate.int_indicator_counts", "marts.indicator_values")
        if not any(r["indicator_code"] == code and r["layer"] == layer for r in rows)
    ]
    bad = [r for r in rows if not r["ok"]]
    passed = not bad and not missing_layers
    if passed:
        summary = (f"national counts of {', '.join(RAW_DEFINITIONS)} equal the raw Perined births of {year} "
                   f"in int_indicator_counts and indicator_values")
    else:
        parts = [f"{r['indicator_code']} in {r['layer']} ({r['classification_year']}): "
                 f"{r['numerator']}/{r['denominator']}, raw {r['raw_numerator']}/{r['raw_denominator']}"
                 for r in bad if r["layer"] is not None]
        parts += [f"no Nederland row for {m}" for m in missing_layers]
        summary = "national counts differ from raw.perined: " + "; ".join(parts[:4])
        summary += "; ..." if len(parts) > 4 else ""
    return Reconciliation("national_counts", passed, summary, rows)


def births_placed_once(con: duckdb.DuckDBPyConnection, year: int) -> Reconciliation:
    """Every raw Perined birth of the year is in int_births exactly once, in one gemeente of the
    target classification or in the unknown bucket; gemeenten plus unknown bucket add up to the
    raw births."""
    counts = _dicts(con.execute(
        f"""
        WITH births AS ({RAW_BIRTHS}),
        placed AS (
            SELECT child_id, count(*) AS times, any_value(gemeente_code_target) AS target,
                   any_value(classification_year) AS classification_year
            FROM intermediate.int_births WHERE year = $year GROUP BY child_id
        ),
        target_gemeenten AS (
            SELECT classification_year, region_code FROM marts.regions WHERE region_level = 'gemeente'
        ),
        joined AS (
            SELECT b.kind_id, p.child_id, p.times, p.target, g.region_code AS known_target
            FROM births AS b
            FULL OUTER JOIN placed AS p ON p.child_id = b.kind_id
            LEFT JOIN target_gemeenten AS g
                ON g.classification_year = p.classification_year AND g.region_code = p.target
        ),
        buckets AS (
            SELECT
                sum(denominator) FILTER (WHERE region_level = 'gemeente') AS gemeenten,
                sum(denominator) FILTER (WHERE region_level = 'unknown_gemeente') AS unknown_bucket,
                sum(denominator) FILTER (WHERE region_level = 'nederland') AS nederland
            FROM intermediate.int_indicator_counts
            WHERE year = $year AND period = CAST($year AS VARCHAR) AND indicator_code = 'big2'
              AND breakdown = 'total'
              AND classification_year = (SELECT max(classification_year) FROM intermediate.int_births
                                         WHERE year = $year)
        )
        SELECT
            count(*) FILTER (WHERE kind_id IS NOT NULL) AS raw_births,
            count(*) FILTER (WHERE kind_id IS NOT NULL AND child_id IS NULL) AS not_in_int_births,
            count(*) FILTER (WHERE kind_id IS NULL) AS not_a_raw_birth,
            count(*) FILTER (WHERE times > 1) AS placed_more_than_once,
            count(*) FILTER (WHERE kind_id IS NOT NULL AND target IS NOT NULL) AS in_a_gemeente,
            count(*) FILTER (WHERE kind_id IS NOT NULL AND child_id IS NOT NULL AND target IS NULL)
                AS in_unknown_bucket,
            count(*) FILTER (WHERE target IS NOT NULL AND known_target IS NULL) AS target_not_a_gemeente,
            (SELECT gemeenten FROM buckets) AS counted_in_gemeenten,
            (SELECT unknown_bucket FROM buckets) AS counted_in_unknown_bucket,
            (SELECT nederland FROM buckets) AS counted_in_nederland
        FROM joined
        """,
        {"year": year},
    ))[0]
    counts = {k: int(v) if v is not None else None for k, v in counts.items()}
    problems = []
    for key, label in (("not_in_int_births", "raw births missing from int_births"),
                       ("not_a_raw_birth", "int_births rows that are no raw birth of the year"),
                       ("placed_more_than_once", "births placed more than once"),
                       ("target_not_a_gemeente",
                        "births placed in a code that is no gemeente of the target classification")):
        if counts[key]:
            problems.append(f"{counts[key]:,} {label}")
    for key, expected_key, label in (("counted_in_gemeenten", "in_a_gemeente", "gemeenten"),
                                     ("counted_in_unknown_bucket", "in_unknown_bucket", "unknown bucket"),
                                     ("counted_in_nederland", "raw_births", "Nederland")):
        if (counts[key] or 0) != counts[expected_key]:
            problems.append(f"big2 denominator of {label} in int_indicator_counts is {counts[key]}, "
                            f"raw births placed there: {counts[expected_key]:,}")
    examples = []
    if problems:
        examples = [list(r) for r in con.execute(
            f"""
            WITH births AS ({RAW_BIRTHS}),
            placed AS (SELECT child_id, count(*) AS times FROM intermediate.int_births WHERE year = $year
                       GROUP BY child_id)
            SELECT coalesce(b.kind_id, p.child_id) AS id,
                   CASE WHEN p.child_id IS NULL THEN 'not in int_births'
                        WHEN b.kind_id IS NULL THEN 'not a raw birth' ELSE 'placed ' || p.times || ' times' END
            FROM births AS b FULL OUTER JOIN placed AS p ON p.child_id = b.kind_id
            WHERE p.child_id IS NULL OR b.kind_id IS NULL OR p.times > 1
            ORDER BY 1 LIMIT 10
            """,
            {"year": year},
        ).fetchall()]
    passed = not problems
    summary = (f"all {counts['raw_births']:,} raw births of {year} placed once: {counts['in_a_gemeente']:,} in a "
               f"gemeente, {counts['in_unknown_bucket']:,} in the unknown bucket" if passed
               else "; ".join(problems))
    return Reconciliation("births_placed_once", passed, summary, [counts], examples)
