"""An extract whose load would come out the same is not loaded again.

A corrected delivery of one source rebuilds its year, and the year's other sources are the same
files as at their last load. Their slices of `raw` stay as they are when the *load key* matches:
a digest of everything the load depends on (the file's bytes and name, the source's definition,
the year, the gemeente codes of the classifications up to the year, the project's code, DuckDB's
and Python's versions). A stale slice would be a silent error, so the key errs towards loading
again, and the slice itself must still be the one that load wrote: its rows and their digest,
and the quarantine file it left. `ksm run --reload` loads every extract whatever the key says.
"""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import sys
from pathlib import Path

import duckdb

from orchestration.sources import SourceSpec

from .extract_files import find_extract, parse_extract, read_delivery
from .load import LoadResult, load_extract, quarantine_files, slice_digest

# the run tag that loads every extract again (`ksm run --reload`, or set in the Dagster UI)
RELOAD_TAG = "ksm/reload"


@functools.cache
def code_digest() -> str:
    """The project's Python code (every module of the package: a load may use any of them),
    DuckDB's version (its regular expressions and casts) and Python's (its csv reader)."""
    package = Path(__file__).resolve().parents[2]
    digest = hashlib.sha256(f"{duckdb.__version__}\n{sys.version}\n".encode())
    for module in sorted(package.rglob("*.py")):
        digest.update(module.relative_to(package).as_posix().encode() + b"\n" + module.read_bytes())
    return digest.hexdigest()


def load_delivered(con: duckdb.DuckDBPyConnection, spec: SourceSpec, year: int, folder: Path,
                   quarantine_dir: Path, reload: bool = False) -> LoadResult:
    """The year's extract in `folder` loaded into raw.<source>, unless its last load had the same
    key and left the slice as it is (`reload`: load it whatever the key says)."""
    path = find_extract(folder, spec.name, year)
    data = read_delivery(path)
    key = load_key(con, spec, year, path, hashlib.sha256(data).hexdigest())
    kept = None if reload else reusable_load(con, spec, year, path, key, quarantine_dir)
    return kept or load_extract(con, spec, year, parse_extract(path, spec.column_names, data=data),
                                quarantine_dir, key)


def load_key(con: duckdb.DuckDBPyConnection, spec: SourceSpec, year: int, path: Path, sha256: str) -> str:
    """The digest of everything a load of `path` into the year's slice depends on."""
    # a code's status depends on the year's classification, the notes on outdated codes on the
    # earlier ones (load._outdated_code_notes)
    (classifications,) = con.execute(
        "SELECT coalesce(md5(string_agg(classification_year || ':' || gemeente_code, ',' "
        "ORDER BY classification_year, gemeente_code)), '') FROM raw.regions WHERE classification_year <= ?",
        [year]).fetchone()
    parts = [code_digest(), repr(spec), str(year), path.name, sha256, classifications]
    return hashlib.sha256("\n".join(parts).encode()).hexdigest()


def reusable_load(con: duckdb.DuckDBPyConnection, spec: SourceSpec, year: int, path: Path, key: str,
                  quarantine_dir: Path) -> LoadResult | None:
    """The last load of the year's slice when it had this key and its slice is still as it left
    it; None when the extract must be loaded."""
    if not has_load_keys(con):
        return None
    logged = con.execute(
        "SELECT sha256, rows_read, rows_accepted, rows_quarantined, unknown_gemeente, notes, slice_digest, "
        "loaded_at FROM raw.ingest_log WHERE source = ? AND year = ? AND load_key = ?",
        [spec.name, year, key]).fetchone()
    if logged is None:
        return None
    sha256, rows_read, accepted, quarantined, unknown, notes, digest, loaded_at = logged
    if digest is None or slice_digest(con, spec.name, year) != digest:
        return None
    left = quarantine_files(quarantine_dir)
    expected = [quarantine_dir / f"{path.stem}.rejected.csv"] if quarantined else []
    if left != expected:
        return None
    return LoadResult(spec.name, year, path, sha256, rows_read, accepted, quarantined, unknown,
                      expected[0] if expected else None, [notes] if notes else [], reused_from=loaded_at)


def has_load_keys(con: duckdb.DuckDBPyConnection) -> bool:
    """Whether raw.ingest_log exists and has load keys (a warehouse of an earlier version has not)."""
    return bool(con.execute(
        "SELECT count(*) FROM duckdb_columns() WHERE database_name = current_database() "
        "AND schema_name = 'raw' AND table_name = 'ingest_log' AND column_name = 'load_key'").fetchone()[0])


def reload_requested(tags: dict[str, str]) -> bool:
    return tags.get(RELOAD_TAG, "").lower() in ("1", "true", "yes")


def loaded_at_text(when: dt.datetime | None) -> str:
    return when.strftime("%Y-%m-%d %H:%M") if when else "?"
