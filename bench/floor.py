"""The floor: what DuckDB alone needs to compute `indicator_values` from the raw tables.

Three steps, each a subcommand so that `bench/run.py` can time and sample them apart:

    python bench/floor.py compile --warehouse W --years 2017-2024 --out DIR
        dbt's compiled SQL of every model upstream of indicator_values, per year, written as ONE
        plain SQL script (DIR/floor.sql): per year, each model in dependency order as
        CREATE VIEW / CREATE TABLE ... AS, and indicator_values as delete + insert (its
        incremental strategy). Compiled year by year against a scratch copy of W's raw tables
        and seeds (DIR/scratch/), where each year's SQL runs before the next year is compiled:
        some macros decide at compile time from what the builds before left (the mart, the
        store of pooled counts), as they do in the yearly builds.
    python bench/floor.py setup --warehouse W --db DIR/warehouse.duckdb
        a fresh database holding only what the script reads: the raw tables and the seeds of W,
        and an empty marts.indicator_values of the same columns.
    python bench/floor.py run --db DIR/warehouse.duckdb --script DIR/floor.sql
        runs the script in one DuckDB connection, one process, no orchestration (the timed part).
    python bench/floor.py compare --warehouse W --db DIR/warehouse.duckdb
        the floor's indicator_values must equal the warehouse's, row for row (doubles to 1e-9
        relative: parallel sums may differ in the last bit), exit 1 otherwise.

The floor database must be called warehouse.duckdb: the compiled SQL names the catalog.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from graphlib import TopologicalSorter
from pathlib import Path


ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))  # the profile's attachments are read as the build reads them
DBT_DIR = ROOT / "dbt_project"
MART = "indicator_values"


def parse_years(text: str) -> list[int]:
    lo, _, hi = text.partition("-")
    return list(range(int(lo), int(hi or lo) + 1))


def _nodes_in_order(results) -> list:
    """The compiled models in dependency order (dbt's own order is not guaranteed per thread)."""
    by_id = {r.node.unique_id: r.node for r in results if r.node.resource_type == "model"}
    graph = {uid: [d for d in node.depends_on.nodes if d in by_id] for uid, node in by_id.items()}
    return [by_id[uid] for uid in TopologicalSorter(graph).static_order()]


def model_statements(node, year: int) -> list[str]:
    """The plain SQL of one compiled model: what its materialisation does, without dbt."""
    sql = node.compiled_code.strip().rstrip(";")
    relation = node.relation_name
    kind = node.config.materialized
    if kind == "view":
        return [f"CREATE OR REPLACE VIEW {relation} AS (\n{sql}\n);"]
    if kind == "table":
        return [f"CREATE OR REPLACE TABLE {relation} AS (\n{sql}\n);"]
    if kind == "incremental":  # indicator_values: the pre-hook deletes the year, then append
        return [f"DELETE FROM {relation} WHERE year_to = {year};",
                f"INSERT INTO {relation} BY NAME (\n{sql}\n);"]
    raise SystemExit(f"floor: model {node.name} has materialisation {kind!r}, which the floor cannot copy")


def cmd_compile(args) -> int:
    import os

    import duckdb
    from dbt.cli.main import dbtRunner

    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    scratch = out / "scratch" / "warehouse.duckdb"
    os.environ["KSM_WAREHOUSE"] = str(scratch.resolve())
    common = ["--project-dir", str(DBT_DIR), "--profiles-dir", str(DBT_DIR),
              "--target-path", str(out / "target"), "--quiet"]
    parsed = dbtRunner().invoke(["parse", *common])
    if not parsed.success:
        raise SystemExit(f"floor: dbt parse failed: {parsed.exception}")
    seeds = loaded_seeds(Path(args.warehouse), parsed.result)
    (out / "seeds.json").write_text(json.dumps(seeds), encoding="utf-8")
    setup_database(Path(args.warehouse), scratch, seeds)
    attach = attachments()
    lines = ["-- The floor: indicator_values from the raw tables, dbt's compiled SQL run as plain DuckDB.",
             "-- Written by bench/floor.py compile; one block per year, models in dependency order.",
             *attach]
    for year in parse_years(args.years):
        os.environ["KSM_BUILD_YEAR"] = str(year)  # the year's one route into dbt
        done = dbtRunner(manifest=parsed.result).invoke(["compile", "--select", f"+{MART}", *common])
        if not done.success:
            raise SystemExit(f"floor: dbt compile for {year} failed: {done.exception}")
        nodes = _nodes_in_order(done.result)
        block = [f"\n-- ===== {year}", *schema_statements(nodes)]
        for node in nodes:
            block.append(f"-- {node.name} ({node.config.materialized})")
            block.extend(model_statements(node, year))
        lines.extend(block)
        year_script = out / f"floor-{year}.sql"
        year_script.write_text("\n".join([*attach, *block]) + "\n", encoding="utf-8")
        # the year's SQL runs in the scratch copy before the next year is compiled (in this
        # process: dbt's adapter keeps the database open, and DuckDB shares it in-process)
        with duckdb.connect(str(scratch)) as con:
            con.execute(year_script.read_text(encoding="utf-8"))
    (out / "floor.sql").write_text("\n".join(lines) + "\n", encoding="utf-8")
    print(f"wrote {out / 'floor.sql'}")
    return 0


def loaded_seeds(warehouse: Path, manifest) -> list[str]:
    """The project's seeds that the builds loaded into W (not the RA layout's), as relation names."""
    import duckdb

    with duckdb.connect(str(warehouse), read_only=True) as con:
        tables = set(con.execute("SELECT schema_name, table_name FROM duckdb_tables()").fetchall())
    seeds = (n.relation_name for n in manifest.nodes.values() if n.resource_type == "seed")
    return sorted(r for r in seeds if tuple(p.strip('"') for p in r.split(".")[1:]) in tables)


def attachments() -> list[str]:
    """dbt-duckdb's ATTACH statements for the databases the profile attaches beside the
    warehouse (the build's in-memory scratch database): the script's models are created there too."""
    from dbt.adapters.duckdb.credentials import Attachment

    from orchestration.dbt_invocation import profile_attachments

    return [Attachment(**entry).to_sql() + ";" for entry in profile_attachments()]


def schema_statements(nodes) -> list[str]:
    """The schemas the compiled models are created in, in whichever database each lives."""
    return [f'CREATE SCHEMA IF NOT EXISTS "{database}"."{schema}";'
            for database, schema in sorted({(n.database, n.schema) for n in nodes})]


def setup_database(warehouse: Path, db: Path, seeds: list[str]) -> int:
    """A fresh database with W's raw tables and seeds and an empty mart; the number of raw tables."""
    import duckdb

    if db.name != "warehouse.duckdb":
        raise SystemExit("floor: the database must be called warehouse.duckdb (the compiled SQL names it)")
    db.parent.mkdir(parents=True, exist_ok=True)
    for stale in (db, db.with_suffix(".duckdb.wal")):
        stale.unlink(missing_ok=True)
    con = duckdb.connect(str(db))
    con.execute(f"ATTACH '{warehouse.resolve().as_posix()}' AS src (READ_ONLY)")
    for schema in ("raw", "staging", "intermediate", "marts"):
        con.execute(f"CREATE SCHEMA IF NOT EXISTS {schema}")
    tables = con.execute("SELECT table_name FROM duckdb_tables() WHERE database_name = 'src' "
                         "AND schema_name = 'raw'").fetchall()
    for (table,) in tables:
        con.execute(f'CREATE TABLE raw."{table}" AS SELECT * FROM src.raw."{table}"')
    for relation in seeds:  # "warehouse"."staging"."indicator_catalogue"
        _, schema, name = (p.strip('"') for p in relation.split("."))
        con.execute(f'CREATE TABLE "{schema}"."{name}" AS SELECT * FROM src."{schema}"."{name}"')
    con.execute(f"CREATE TABLE marts.{MART} AS SELECT * FROM src.marts.{MART} LIMIT 0")
    con.execute("CHECKPOINT")
    con.close()
    return len(tables)


def cmd_setup(args) -> int:
    db = Path(args.db)
    seeds = json.loads((db.parent / "seeds.json").read_text()) if (db.parent / "seeds.json").exists() else []
    tables = setup_database(Path(args.warehouse), db, seeds)
    print(f"floor database: {tables} raw tables, {len(seeds)} seeds -> {db}")
    return 0


def cmd_run(args) -> int:
    import duckdb

    script = Path(args.script).read_text(encoding="utf-8")
    started = time.monotonic()
    con = duckdb.connect(args.db)
    con.execute(script)
    con.close()
    print(f"floor script ran in {time.monotonic() - started:.2f}s")
    return 0


def cmd_compare(args) -> int:
    import duckdb

    con = duckdb.connect(":memory:")
    con.execute(f"ATTACH '{Path(args.warehouse).resolve().as_posix()}' AS wh (READ_ONLY)")
    con.execute(f"ATTACH '{Path(args.db).resolve().as_posix()}' AS fl (READ_ONLY)")
    # row for row on the cell's key; doubles (intervals, the SII) equal to 1e-9 relative: DuckDB's
    # parallel sums of doubles may differ in the last bit from one run to the next
    columns = con.execute(f"SELECT column_name, data_type FROM duckdb_columns() WHERE database_name = 'wh' "
                          f"AND schema_name = 'marts' AND table_name = '{MART}' ORDER BY column_index").fetchall()
    keys = ["indicator_code", "period", "region_code", "classification_year", "breakdown", "breakdown_category"]
    same = [f'w."{c}" IS NOT DISTINCT FROM f."{c}"' if t != "DOUBLE" else
            f'(w."{c}" IS NOT DISTINCT FROM f."{c}" OR abs(w."{c}" - f."{c}") <= 1e-9 * greatest(1, abs(w."{c}")))'
            for c, t in columns if c not in keys]
    on = " AND ".join(f'w."{k}" IS NOT DISTINCT FROM f."{k}"' for k in keys)
    counts = con.execute(f"""
        SELECT (SELECT count(*) FROM wh.marts.{MART}), (SELECT count(*) FROM fl.marts.{MART}),
               (SELECT count(*) FROM wh.marts.{MART} AS w JOIN fl.marts.{MART} AS f ON {on} WHERE {" AND ".join(same)})
        """).fetchone()
    differences = max(counts[0], counts[1]) - counts[2]
    rows = con.execute(f"SELECT count(*) FROM fl.marts.{MART}").fetchone()[0]
    if differences:
        print(f"floor: {differences} rows differ between the floor's and the warehouse's {MART}")
        return 1
    print(f"floor: {MART} equal to the warehouse's ({rows:,} rows)")
    return 0


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="floor")
    sub = parser.add_subparsers(dest="command", required=True)
    for name, func, options in (("compile", cmd_compile, ("--warehouse", "--years", "--out")),
                                ("setup", cmd_setup, ("--warehouse", "--db")),
                                ("run", cmd_run, ("--db", "--script")),
                                ("compare", cmd_compare, ("--warehouse", "--db"))):
        command = sub.add_parser(name)
        for option in options:
            command.add_argument(option, required=True)
        command.set_defaults(func=func)
    args = parser.parse_args(argv)
    return args.func(args)


if __name__ == "__main__":
    sys.exit(main())
