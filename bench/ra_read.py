"""Reading an RA address table (.sav) into DuckDB: time and peak memory per way of reading.

    .venv/bin/python bench/ra_read.py --rows 300000

Writes one synthetic GBAADRESOBJECTBUS-like file (the six columns the monitor reads plus ten it
does not) twice, plain and with SPSS's usual bytecode row compression, under --workdir, then
runs each way of reading in a fresh process (peak RSS from getrusage): the whole file with all
columns (pandas frame), the whole file with only the needed columns, and the warehouse's reader
(`orchestration.ra.read_sav`: needed columns, chunks appended into DuckDB) at two chunk sizes.
"""

from __future__ import annotations

import argparse
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


def _rss() -> int:
    return int(Path("/proc/self/statm").read_text().split()[1]) * os.sysconf("SC_PAGE_SIZE")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=300_000)
    parser.add_argument("--workdir", type=Path, default=None)
    parser.add_argument("--one", nargs=3, metavar=("WAY", "PATH", "CHUNK"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.one:
        print(json.dumps(one(args.one[0], args.one[1], int(args.one[2]))))
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
