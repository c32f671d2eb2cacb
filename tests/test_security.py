"""What analysts can reach: the published file holds aggregates only, above the disclosure
threshold, and `ksm query` can read the released marts and nothing else."""

from __future__ import annotations

import hashlib

import duckdb
import pytest

from orchestration.cli import main
from orchestration.sources import YEARLY_SOURCES

pytestmark = pytest.mark.e2e
THRESHOLD = 10
ANALYST_VIEWS = {"gemeente_profile", "indicator_series"}
ALLOWED_TABLES = {"indicator_values", "indicators", "regions", "region_mergers", "releases"}
COUNT_COLUMNS = ("numerator", "denominator")
WITHHELD_WITH_THE_COUNTS = ("numerator", "denominator", "value", "ci95_lower", "ci95_upper", "ci998_lower",
                            "ci998_upper")


def test_published_file_holds_no_record_level_data(released):
    paths = released[0]
    with duckdb.connect(str(paths.warehouse), read_only=True) as wh:
        # every record id and record-level column name the raw layer holds
        record_ids = set()
        for spec in YEARLY_SOURCES.values():
            if spec.record_level and spec.record_id:
                record_ids |= {v for (v,) in wh.execute(f"SELECT DISTINCT {spec.record_id} FROM raw.{spec.name}").fetchall()}
        record_ids |= {v for (v,) in wh.execute("SELECT DISTINCT moeder_id FROM raw.perined").fetchall()}
    record_columns = {c.name.lower() for s in YEARLY_SOURCES.values() if s.record_level for c in s.columns
                      if c.kind != "gemeente"}
    assert len(record_ids) > 100

    with duckdb.connect(str(paths.published), read_only=True) as con:
        columns = con.execute("SELECT table_schema, table_name, column_name, data_type FROM information_schema.columns "
                              "ORDER BY ALL").fetchall()
        assert {t for _, t, _, _ in columns} == ALLOWED_TABLES | ANALYST_VIEWS
        assert {s for s, _, _, _ in columns} == {"main"}
        # no views but the analysts' two (over the published tables only), no macros
        assert {v for (v,) in con.execute("SELECT view_name FROM duckdb_views() WHERE NOT internal").fetchall()} \
            == ANALYST_VIEWS
        assert con.execute("SELECT count(*) FROM duckdb_functions() WHERE NOT internal AND "
                           "function_type LIKE '%macro%'").fetchone()[0] == 0
        names = {c.lower() for _, _, c, _ in columns}
        assert not names & record_columns, names & record_columns
        assert not [n for n in names if n.endswith("_id") and n != "run_id"]

        # no text anywhere equals or contains a record id
        for _, table, column, data_type in columns:
            if data_type in ("VARCHAR", "JSON"):
                values = {v for (v,) in con.execute(f'SELECT DISTINCT "{column}"::VARCHAR FROM {table}').fetchall() if v}
                leaked = values & record_ids or {v for v in values if any(f'"{r}"' in v for r in record_ids)}
                assert not leaked, f"{table}.{column} holds record ids: {sorted(leaked)[:3]}"

        # every count of persons is withheld (with everything derived from it) or at least the
        # threshold; counts of gemeenten (census indicators) are public and have no interval
        nulls = " AND ".join(f"{c} IS NULL" for c in WITHHELD_WITH_THE_COUNTS)
        bad = con.execute(
            f"SELECT indicator_code, period, region_code, breakdown, breakdown_category, numerator, denominator "
            f"FROM indicator_values JOIN indicators USING (indicator_code) "
            f"WHERE disclosure_rule = 'min_10_both_outcomes' AND NOT ("
            f"(suppressed AND suppression_reason IS NOT NULL AND {nulls}) OR "
            f"(NOT suppressed AND numerator >= {THRESHOLD} AND denominator >= {THRESHOLD} "
            f"AND denominator - numerator >= {THRESHOLD}))"
        ).fetchall()
        assert bad == [], bad[:5]
        assert con.execute("SELECT count(*) FROM indicator_values JOIN indicators USING (indicator_code) "
                           "WHERE disclosure_rule = 'none_census' AND (ci95_lower IS NOT NULL OR ci_method IS NOT NULL "
                           "OR suppression_reason = 'secondary_suppression')").fetchone() == (0,)
        assert con.execute("SELECT count(*) FILTER (WHERE suppressed), count(*) FILTER (WHERE NOT suppressed) "
                           "FROM indicator_values").fetchone() > (0, 0)


def _sha(path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_ksm_query_cannot_write_attach_or_read_other_files(copy_home, tmp_path, capsys):
    other = tmp_path / "other.duckdb"
    duckdb.connect(str(other)).close()
    secret = tmp_path / "secret.csv"
    secret.write_text("a\nsecret-value\n")
    release_file = next((copy_home.releases).rglob("indicator_values.parquet"))
    out = tmp_path / "out"
    statements = [
        f"ATTACH '{other}' AS other",
        f"ATTACH '{copy_home.warehouse}' AS wh (READ_ONLY)",
        f"COPY indicator_values TO '{out}.csv'",
        f"COPY (SELECT 1) TO '{out}.parquet' (FORMAT parquet)",
        f"EXPORT DATABASE '{out}'",
        f"SELECT * FROM read_csv('{secret}')",
        f"SELECT * FROM '{secret}'",
        f"SELECT * FROM read_text('{secret}')",
        f"SELECT * FROM read_blob('{secret}')",
        f"SELECT * FROM read_parquet('{release_file}')",
        f"SELECT * FROM glob('{tmp_path}/*')",
        "INSTALL httpfs", "LOAD httpfs", "FORCE INSTALL json",
        "SET enable_external_access = true", "RESET enable_external_access", "SET lock_configuration = false",
        "SET allow_unsigned_extensions = true", f"SET temp_directory = '{tmp_path}'", "PRAGMA enable_profiling",
        "CREATE TABLE x AS SELECT 1", "INSERT INTO releases SELECT * FROM releases", "DELETE FROM releases",
        "DROP TABLE releases", "UPDATE indicator_values SET value = 0", "CREATE VIEW v AS SELECT 1",
        "CREATE PERSISTENT SECRET s (TYPE s3, KEY_ID 'a', SECRET 'b')",
        f"SELECT 1; ATTACH '{other}' AS other",
        "SELECT getenv('KSM_SMTP_PASSWORD')",
    ]
    published = _sha(copy_home.published)
    for sql in statements:
        code = main(["query", sql])
        _, err = capsys.readouterr()
        assert code == 2, sql
        assert err.startswith("ksm: query failed:") and len(err.strip().splitlines()) == 1, (sql, err)
    assert not list(tmp_path.glob("out*")), "nothing was written"
    assert _sha(copy_home.published) == published
    assert main(["query", "SELECT count(*) FROM releases"]) == 0


def test_ksm_query_is_bounded_in_time_memory_and_rows(copy_home, monkeypatch, capsys):
    """A query that would never end, one that eats memory and one whose result would not fit
    each end in one line naming the setting that raises the bound; the next query works."""
    import time

    cases = [
        ({"KSM_QUERY_TIMEOUT_SECONDS": "1"},
         # endless but in constant memory, so the time bound ends it whatever the machine's speed
         "SELECT sum(i % 7) FROM range(1000000000000) t(i)",
         "query stopped after 1 s; set KSM_QUERY_TIMEOUT_SECONDS"),
        ({"KSM_QUERY_MEMORY_LIMIT": "50MB"}, "SELECT string_agg(repeat('x', 1000), '') FROM range(1000000)",
         "query needs more than 50MB of memory; set KSM_QUERY_MEMORY_LIMIT"),
        ({"KSM_QUERY_MAX_ROWS": "1000"}, "SELECT * FROM indicator_values a, indicator_values b",
         "the result has more than 1,000 rows"),
        ({"KSM_QUERY_TIMEOUT_SECONDS": "soon"}, "SELECT 1", "KSM_QUERY_TIMEOUT_SECONDS='soon' is not a number"),
        ({"KSM_QUERY_MEMORY_LIMIT": "lots"}, "SELECT 1", "KSM_QUERY_MEMORY_LIMIT='lots' is not a size"),
    ]
    for env, sql, expected in cases:
        with monkeypatch.context() as patched:
            for key, value in env.items():
                patched.setenv(key, value)
            started = time.monotonic()
            code = main(["query", sql])
            _, err = capsys.readouterr()
        assert time.monotonic() - started < 60, sql
        assert code == 2 and err.startswith(f"ksm: {expected}"), (sql, err)
        assert len(err.strip().splitlines()) == 1 and "unexpected" not in err, err
    assert main(["query", "SELECT count(*) FROM releases"]) == 0


def test_ksm_query_settings_show_no_machine_paths(copy_home, capsys):
    """Temporary, home and secret directories are not in `duckdb_settings()`; what is left is the
    published file itself (DuckDB lists it as the one file the connection may read)."""
    import json
    from pathlib import Path

    assert main(["query", "SELECT name, value FROM duckdb_settings()", "--format", "json"]) == 0
    settings = {row["name"]: row["value"] or "" for row in json.loads(capsys.readouterr().out)}
    published = str(copy_home.published)
    for name, value in settings.items():
        rest = value.replace(published, "")  # the published file's own path (and its .wal names)
        assert str(copy_home.home) not in rest and str(Path.home()) not in rest, (name, value)
    assert settings["temp_directory"] == "" and settings["memory_limit"]
