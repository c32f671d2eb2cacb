"""Reading an RA table (.sav) into DuckDB: time and peak memory per way of reading.

Synthetic file (the earlier comparison):

    .venv/bin/python bench/ra_read.py --rows 300000

Writes one synthetic GBAADRESOBJECTBUS-like file (the six columns the monitor reads plus ten it
does not) twice, plain and with SPSS's usual bytecode row compression, under --workdir, then
runs each way of reading in a fresh process (peak RSS from getrusage): the whole file with all
columns (pandas frame), the whole file with only the needed columns, and the warehouse's reader
(`orchestration.ra.read_sav`: needed columns, chunks appended into DuckDB) at two chunk sizes.

Real files at national size (paths are arguments; the files are only read):

    .tools/bin/uv pip install --python .venv/bin/python polars-readstat==0.25.0 readstat-arrow==2026.10.20.0
    .venv/bin/python bench/ra_read.py --workdir /some/scratch \
        --files gbapersoontab=<...>/GBAPERSOON2024TABV1.sav gbaadresobjectbus=<...>/GBAADRESOBJECT2024BUSV1.sav \
        [--ways pyreadstat:200000 pyreadstat:1000000 pyreadstat-mp:200000 polars-readstat:200000 readstat-arrow:200000]

Each WAY[:CHUNK] loads each file with `read_sav.load_ra_file` into a fresh DuckDB file under
--workdir (deleted after), in a fresh process; only how the needed columns' rows leave the .sav
differs (pyreadstat chunks, the same with two worker processes, polars-readstat's lazy scan
collected in batches, readstat-arrow's pushed Arrow record batches; also polars-readstat-1t and
polars-readstat-unordered), so key handling, checks and the swap into raw_ra are the
warehouse's own. Printed per run: CPU seconds (user+sys of the process, its threads and
workers), wall seconds, peak RSS (getrusage; workers' own peak apart), rows/s, the column types
and a digest of every column (row count, non-NULL count and sum of value hashes per column),
which must be equal across ways; then a Markdown table. The two extra packages are not project
dependencies (`.tools/bin/uv sync --frozen` removes them again). On a shared machine compare
CPU seconds, not wall.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

NEEDED = ["RINPERSOONS", "RINPERSOON", "GBADATUMAANVANGADRESHOUDING", "GBADATUMEINDEADRESHOUDING",
          "SOORTOBJECTNUMMER", "RINOBJECTNUMMER"]


def write(folder: Path, rows: int) -> dict[str, Path]:
    import numpy as np
    import pandas as pd
    import pyreadstat

    rng = np.random.default_rng(1)
    person = rng.integers(1, 999_999_999, rows)
    start = pd.to_datetime("2000-01-01") + pd.to_timedelta(rng.integers(0, 8000, rows), unit="D")
    frame = pd.DataFrame({
        "RINPERSOONS": ["R"] * rows,
        "RINPERSOON": [f"{p:09d}" for p in person],
        "GBADATUMAANVANGADRESHOUDING": start.strftime("%Y%m%d"),
        "GBADATUMEINDEADRESHOUDING": ["88881231"] * rows,
        "SOORTOBJECTNUMMER": ["BAG"] * rows,
        "RINOBJECTNUMMER": [str(x) for x in rng.integers(1, 9_000_000, rows)],
        **{f"EXTRA{i}": rng.random(rows) for i in range(10)},
    })
    paths = {"plain": folder / "GBAADRESOBJECT2023BUSV1.sav", "compressed": folder / "GBAADRESOBJECT2023BUSV2.sav"}
    pyreadstat.write_sav(frame, str(paths["plain"]))
    pyreadstat.write_sav(frame, str(paths["compressed"]), row_compress=True)
    return paths


# the ways of reading a file into raw_ra that `--files` compares; each replaces only how the rows
# of the needed columns come out of the .sav (read_sav._load_sav_chunks), so key handling, the
# key check and the swap into raw_ra are the warehouse's own in every way
NATIONAL_WAYS = ["pyreadstat", "pyreadstat-mp", "polars-readstat", "readstat-arrow"]
# also: polars-readstat-1t (its reader on one thread), polars-readstat-unordered (batches in any order)


def _pyreadstat_mp(con, spec, path, columns, year, loading, chunk_rows) -> int:
    """pyreadstat's chunks, each read by two processes (read_file_in_chunks(multiprocess=True))."""
    import pyreadstat

    from orchestration.ra import read_sav

    chunks = 0
    for frame, _ in pyreadstat.read_file_in_chunks(
            pyreadstat.read_sav, str(path), chunksize=chunk_rows, multiprocess=True, num_processes=2,
            usecols=list(columns.values()), dates_as_pandas_datetime=True):
        numeric = {c for c in frame.columns if frame[c].dtype.kind in "fiub"}
        _append(con, read_sav._select_list(spec, columns, numeric, year), loading, frame, chunks)
        chunks += 1
    return chunks


def _polars_readstat(con, spec, path, columns, year, loading, chunk_rows, threads=None, ordered=True) -> int:
    """polars-readstat: a lazily scanned frame of the needed columns, collected in batches."""
    from polars_readstat import scan_readstat

    from orchestration.ra import read_sav

    frame = scan_readstat(str(path), threads=threads, preserve_order=ordered,
                          batch_size=chunk_rows).select(list(columns.values()))
    chunks = 0
    for batch in frame.collect_batches(chunk_size=chunk_rows):
        numeric = {c for c, kind in batch.schema.items() if kind.is_numeric()}
        _append(con, read_sav._select_list(spec, columns, numeric, year), loading, batch.to_arrow(), chunks)
        chunks += 1
    return chunks


def _readstat_arrow(con, spec, path, columns, year, loading, chunk_rows) -> int:
    """readstat-arrow: the parse pushes Arrow record batches of the needed columns."""
    import pyarrow as pa
    import readstat_arrow

    from orchestration.ra import read_sav

    reader = readstat_arrow.open_sav(str(path), columns=list(columns.values()))
    numeric = {f.name for f in reader.schema if pa.types.is_integer(f.type) or pa.types.is_floating(f.type)}
    select = read_sav._select_list(spec, columns, numeric, year)
    chunks = 0

    def on_batch(batch) -> None:
        nonlocal chunks
        _append(con, select, loading, batch, chunks)
        chunks += 1

    reader.read_batches(on_batch, batch_rows=chunk_rows)
    return chunks


def _append(con, select, loading, data, chunks) -> None:
    con.register("ra_chunk", data)
    try:
        if chunks == 0:
            con.execute(f"CREATE TABLE {loading} AS SELECT {select} FROM ra_chunk")
        else:
            con.execute(f"INSERT INTO {loading} BY NAME SELECT {select} FROM ra_chunk")
    finally:
        con.unregister("ra_chunk")


def national(way: str, path: str, table: str, chunk: int, database: str) -> dict:
    """One way of loading a real RA file into a fresh warehouse file; CPU seconds (user+sys of
    this process, its threads and any worker processes), wall seconds and peak RSS (getrusage)."""
    import resource

    import duckdb

    from orchestration.ra import read_sav
    from orchestration.ra.layout import DEFAULT_TABLES

    from functools import partial

    loaders = {"pyreadstat-mp": _pyreadstat_mp, "polars-readstat": _polars_readstat,
               "polars-readstat-1t": partial(_polars_readstat, threads=1),
               "polars-readstat-unordered": partial(_polars_readstat, ordered=False),
               "readstat-arrow": _readstat_arrow}
    if way in loaders:
        read_sav._load_sav_chunks = loaders[way]
    Path(database).unlink(missing_ok=True)
    before = [resource.getrusage(who) for who in (resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN)]
    started = time.perf_counter()
    with duckdb.connect(database) as con:  # a warehouse file, as in a build
        loaded = read_sav.load_ra_file(con, DEFAULT_TABLES[table], Path(path), chunk_rows=chunk)
        wall = time.perf_counter() - started
        after = [resource.getrusage(who) for who in (resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN)]
        cpu = sum(a.ru_utime + a.ru_stime - b.ru_utime - b.ru_stime for a, b in zip(after, before))
        columns = [c[0] for c in con.execute(f"DESCRIBE raw_ra.{table}").fetchall()]
        types = [c[1] for c in con.execute(f"DESCRIBE raw_ra.{table}").fetchall()]
        # an order-free fingerprint of every column: rows, NULLs, sum of value hashes
        digest = con.execute("SELECT count(*), " + ", ".join(
            f"count(\"{c}\"), sum(hash(\"{c}\")::HUGEINT)::VARCHAR" for c in columns)
            + f" FROM raw_ra.{table}").fetchone()
    Path(database).unlink(missing_ok=True)
    return {"way": way, "chunk": chunk, "rows": loaded.rows, "chunks": loaded.chunks, "cpu_s": round(cpu, 1),
            "wall_s": round(wall, 1), "peak_rss_mib": round(after[0].ru_maxrss / 1024),
            "workers_peak_rss_mib": round(after[1].ru_maxrss / 1024),
            "rows_per_s": round(loaded.rows / wall), "types": dict(zip(columns, types)),
            "digest": hashlib.sha256(repr(digest).encode()).hexdigest()[:16]}


def one(way: str, path: str, chunk: int) -> dict:
    import duckdb
    import pyreadstat

    from orchestration.ra.layout import DEFAULT_TABLES
    from orchestration.ra.read_sav import load_ra_file

    base = _rss()
    peak = [base]
    done = threading.Event()

    def sample() -> None:
        while not done.wait(0.02):
            peak[0] = max(peak[0], _rss())

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    started = time.perf_counter()
    if way.startswith("whole"):
        frame, _ = pyreadstat.read_sav(path, usecols=NEEDED if way == "whole-needed" else None)
        rows = len(frame)
    else:
        database = Path(path).with_suffix(f".{chunk}.duckdb")
        database.unlink(missing_ok=True)
        with duckdb.connect(str(database)) as con:  # a warehouse file, as in a build
            rows = load_ra_file(con, DEFAULT_TABLES["gbaadresobjectbus"], Path(path), chunk_rows=chunk).rows
        database.unlink()
    seconds = time.perf_counter() - started
    done.set()
    sampler.join()
    # resident memory above that of the process after its imports, sampled every 20 ms
    return {"way": way, "chunk": chunk, "rows": rows, "seconds": round(seconds, 2),
            "peak_mib": round((max(peak[0], _rss()) - base) / 2**20)}


def compare(files: list[str], ways: list[str], workdir: Path | None) -> None:
    """Each way on each file, one fresh process apiece; one JSON line per run, then a table."""
    folder = workdir or Path(tempfile.mkdtemp(prefix="ra-read-"))
    folder.mkdir(parents=True, exist_ok=True)
    results = []
    for item in files:
        table, _, path = item.partition("=")
        for spec in ways:
            way, _, chunk = spec.partition(":")
            out = subprocess.run([sys.executable, __file__, "--national", way, path, table, chunk or "200000",
                                  str(folder / f"{table}.duckdb")], capture_output=True, text=True)
            if out.returncode:
                print(table, way, "FAILED", out.stderr.strip().splitlines()[-1:], flush=True)
                continue
            result = {"table": table, **json.loads(out.stdout)}
            print(json.dumps(result), flush=True)
            results.append(result)
    print("\n| table | reader | chunk | rows | CPU s | wall s | peak RSS MiB | rows/s | digest |")
    print("|---|---|---:|---:|---:|---:|---:|---:|---|")
    for r in results:
        rss = str(r["peak_rss_mib"]) + (f" (+{r['workers_peak_rss_mib']} per worker)" if r["workers_peak_rss_mib"] else "")
        print(f"| {r['table']} | {r['way']} | {r['chunk']:,} | {r['rows']:,} | {r['cpu_s']} | {r['wall_s']} | {rss} "
              f"| {r['rows_per_s']:,} | {r['digest']} |")


def _rss() -> int:
    return int(Path("/proc/self/statm").read_text().split()[1]) * os.sysconf("SC_PAGE_SIZE")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=300_000)
    parser.add_argument("--workdir", type=Path, default=None)
    parser.add_argument("--files", nargs="+", metavar="TABLE=PATH",
                        help="real RA files (e.g. gbapersoontab=.../GBAPERSOON2024TABV1.sav): compare the ways "
                             "of loading each into DuckDB instead of the synthetic file")
    parser.add_argument("--ways", nargs="+", default=None, metavar="WAY[:CHUNK]",
                        help=f"with --files: which ways and chunk sizes (default: pyreadstat:200000 "
                             f"pyreadstat:1000000 and each of {', '.join(NATIONAL_WAYS[1:])} at 200000)")
    parser.add_argument("--one", nargs=3, metavar=("WAY", "PATH", "CHUNK"), help=argparse.SUPPRESS)
    parser.add_argument("--national", nargs=5, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.one:
        print(json.dumps(one(args.one[0], args.one[1], int(args.one[2]))))
        return
    if args.national:
        way, path, table, chunk, database = args.national
        print(json.dumps(national(way, path, table, int(chunk), database)))
        return
    if args.files:
        compare(args.files, args.ways or ["pyreadstat:200000", "pyreadstat:1000000"]
                + [f"{w}:200000" for w in NATIONAL_WAYS[1:]], args.workdir)
        return
    folder = args.workdir or Path(tempfile.mkdtemp(prefix="ra-read-"))
    folder.mkdir(parents=True, exist_ok=True)
    paths = write(folder, args.rows)
    print(f"rows={args.rows} "
          + " ".join(f"{k}_mib={p.stat().st_size / 2**20:.1f}" for k, p in paths.items()))
    for kind, path in paths.items():
        for way, chunk in [("whole-all", 0), ("whole-needed", 0), ("chunked", 100_000), ("chunked", 20_000)]:
            out = subprocess.run([sys.executable, __file__, "--one", way, str(path), str(chunk)],
                                 capture_output=True, text=True, check=True).stdout
            print(kind, out.strip())


if __name__ == "__main__":
    main()
