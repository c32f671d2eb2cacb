"""An extract whose load would come out the same is not loaded again.

A corrected delivery of one source rebuilds its year, and the year's other sources are the same
files as at their last load. Their slices of `raw` stay as they are when the *load key* matches:
a digest of everything the load depends on (the file's bytes and name, the source's definition,
the year, for a source with gemeente codes the codes of the classifications up to the year, the
project's code, and the versions of DuckDB, pandas, NumPy and Python). A stale slice would be a
silent error, so the key errs towards loading again, and what the load left must still be as it
left it: the slice (its rows and their digest) and its quarantine file (name and digest).
`ksm run --reload` loads every extract whatever the key says.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import sys
from importlib import metadata
from pathlib import Path

import duckdb

from orchestration.sources import SourceSpec

from .extract_files import file_sha256, find_extract, parse_extract, read_delivery
from .load import LoadResult, last_load, load_extract, quarantine_files, slice_digest

# the run tag that loads every extract again (`ksm run --reload`, or set in the Dagster UI)
RELOAD_TAG = "ksm/reload"


def _code_digest() -> str:
    """The project's Python code (every module of the package: a load may use any of them) and
    the versions of what reads and types the rows: DuckDB (regular expressions, casts), pandas
    and NumPy (the frame of a quoted file), Python (its csv reader)."""
    package = Path(__file__).resolve().parents[2]
    versions = [duckdb.__version__, metadata.version("pandas"), metadata.version("numpy"), sys.version]
    digest = hashlib.sha256("\n".join(versions).encode())
    for module in sorted(package.rglob("*.py")):
        digest.update(module.relative_to(package).as_posix().encode() + b"\n" + module.read_bytes())
    return digest.hexdigest()


# at import, with the code this process runs: a file edited later must not pass for it
CODE_DIGEST = _code_digest()


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
    parts = [CODE_DIGEST, repr(spec), str(year), path.name, sha256]
    if any(column.kind == "gemeente" for column in spec.columns):
        # a code's status depends on the year's classification, the notes on outdated codes on
        # the earlier ones (load._outdated_code_notes)
        parts += con.execute(
            "SELECT coalesce(md5(string_agg(classification_year || ':' || gemeente_code, ',' "
            "ORDER BY classification_year, gemeente_code)), '') FROM raw.regions WHERE classification_year <= ?",
            [year]).fetchone()
    return hashlib.sha256("\n".join(parts).encode()).hexdigest()


def reusable_load(con: duckdb.DuckDBPyConnection, spec: SourceSpec, year: int, path: Path, key: str,
                  quarantine_dir: Path) -> LoadResult | None:
    """The last load of the year's slice when it had this key and left the slice and its
    quarantine file as they are now; None when the extract must be loaded."""
    logged = last_load(con, spec.name, year, path, quarantine_dir)
    if logged is None or logged.result.load_key != key:
        return None
    if slice_digest(con, spec.name, year) != logged.slice_digest:
        return None
    left = quarantine_files(quarantine_dir)
    quarantine = logged.result.quarantine_file
    if left != ([quarantine] if quarantine else []):
        return None
    if quarantine and file_sha256(quarantine) != logged.quarantine_sha256:
        return None
    return logged.result


def reload_requested(tags: dict[str, str]) -> bool:
    return tags.get(RELOAD_TAG, "").lower() in ("1", "true", "yes")


def loaded_at_text(when: dt.datetime | None) -> str:
    return when.strftime("%Y-%m-%d %H:%M") if when else "?"
