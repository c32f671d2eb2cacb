"""Publishing a year: an immutable release folder and an atomic swap of the analysts' file.

`releases/<year>/v<n>/` gets Parquet files and `manifest.json`; `published/monitor.duckdb` is
written as a new file beside the old one (a copy of it with the year's rows replaced, or afresh)
and moved over it with one rename. A reader that has the
old file open keeps its consistent view (the old inode), and a new reader sees the new release:
never a mix, and an open read-only connection never blocks the release.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import json
import os
import shutil
import uuid
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path

import duckdb

from orchestration.analyst_views import create_analyst_views, published_has_views
from orchestration.faults import pause_point
from orchestration.locking import lock as lock_file
from orchestration.locking import unlock as unlock_file
from orchestration.provenance import synthetic_inputs
from orchestration.ra.records import uses_ra_layout
from orchestration.published import REFERENCE_TABLES, RELEASES_TABLE, releases_ddl
from orchestration.settings import Paths

# run tag: why a released year is built again (set by `ksm run` and the inbox sensor)
REBUILD_REASON_TAG = "ksm/rebuild_reason"
VALUE_KEYS = ["indicator_code", "period", "region_code", "classification_year", "breakdown", "breakdown_category"]


class ReleaseError(Exception):
    pass


def _reason(exc: BaseException) -> str:
    """An OS or DuckDB error in one line (e.g. 'No space left on device: .../x.parquet')."""
    if isinstance(exc, OSError) and exc.strerror:
        return f"{exc.strerror}: {exc.filename}" if exc.filename else exc.strerror
    text = str(exc).strip()
    text = text.splitlines()[0] if text else type(exc).__name__
    # DuckDB puts the OS error in a JSON tail: '... range [..]: {"exception_message": "..."}'
    start = text.find('{"exception_type"')
    if start > 0:
        with contextlib.suppress(ValueError, AttributeError):
            text = text[:start].rstrip(": ") + ": " + json.loads(text[start:])["exception_message"]
    return text


@dataclass
class ReleaseOutcome:
    year: int
    version: int
    created: bool  # False when the inputs and outputs equal the latest release
    release_dir: Path
    rows: int
    changes: dict


def _versions(year_dir: Path) -> list[int]:
    if not year_dir.is_dir():
        return []
    return sorted(int(p.name[1:]) for p in year_dir.iterdir() if p.is_dir() and p.name[1:].isdigit()
                  and p.name.startswith("v"))


def released_years(paths: Paths) -> list[int]:
    """Years with at least one release folder."""
    if not paths.releases.is_dir():
        return []
    return sorted(int(p.name) for p in paths.releases.iterdir()
                  if p.is_dir() and p.name.isdigit() and _versions(p))


def latest_release(paths: Paths, year: int) -> tuple[int, dict | None]:
    versions = _versions(paths.releases / str(year))
    if not versions:
        return 0, None
    manifest = paths.releases / str(year) / f"v{versions[-1]}" / "manifest.json"
    return versions[-1], json.loads(manifest.read_text())


def released_classification(paths: Paths, year: int) -> int | None:
    """The classification year the latest release of `year` is on (its fixed series); None when
    the year has no release. Releases from before the manifest said so are read from their Parquet."""
    version, manifest = latest_release(paths, year)
    if manifest is None:
        return None
    if manifest.get("classification_year") is not None:
        return int(manifest["classification_year"])
    values = paths.releases / str(year) / f"v{version}" / "indicator_values.parquet"
    with contextlib.closing(duckdb.connect()) as con:
        found = con.execute(f"SELECT max(classification_year) FROM read_parquet({sql_path(values)})").fetchone()[0]
    return int(found) if found is not None else None


def _content_hash(con: duckdb.DuckDBPyConnection, relation: str) -> tuple[int, str]:
    """Row count and an order-independent hash of the rows' contents."""
    rows, digest = con.execute(
        f"SELECT count(*), coalesce(md5(string_agg(to_json(t)::VARCHAR, chr(10) "
        f"ORDER BY to_json(t)::VARCHAR)), '') FROM ({relation}) t"
    ).fetchone()
    return int(rows), digest


def _file_sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _package_versions() -> dict:
    found = {}
    for name in ("kansrijke-start-monitor", "dagster", "dagster-dbt", "dbt-core", "dbt-duckdb", "duckdb"):
        with contextlib.suppress(metadata.PackageNotFoundError):
            found[name] = metadata.version(name)
    return found


@contextlib.contextmanager
def _publish_lock(paths: Paths):
    # in the home, not in published/: a read-only published folder must give its own clear error.
    # An flock: released by the kernel when a killed process dies, so it is never stale.
    paths.home.mkdir(parents=True, exist_ok=True)
    with open(paths.home / ".publish.lock", "a") as handle:
        lock_file(handle)
        try:
            yield
        finally:
            unlock_file(handle)


def _diff_against_previous(con, previous_dir: Path | None, slice_sql: str) -> dict:
    """Which indicators and regions moved, and by how much, against the previous version."""
    if previous_dir is None:
        return {"first_release": True}
    previous = previous_dir / "indicator_values.parquet"
    if not previous.exists():
        return {"first_release": False, "note": "previous release has no indicator_values.parquet"}
    keys = " AND ".join(f"n.{k} IS NOT DISTINCT FROM o.{k}" for k in VALUE_KEYS)
    rows = con.execute(
        f"""
        WITH n AS ({slice_sql}), o AS (SELECT * FROM read_parquet({sql_path(previous)}))
        SELECT coalesce(n.indicator_code, o.indicator_code) AS indicator_code,
               count(*) FILTER (WHERE n.indicator_code IS NULL) AS rows_removed,
               count(*) FILTER (WHERE o.indicator_code IS NULL) AS rows_added,
               count(*) FILTER (WHERE n.indicator_code IS NOT NULL AND o.indicator_code IS NOT NULL
                                AND n.value IS DISTINCT FROM o.value) AS values_changed,
               max(abs(n.value - o.value)) AS max_abs_change,
               count(*) FILTER (WHERE n.suppressed AND NOT o.suppressed) AS newly_withheld,
               count(*) FILTER (WHERE o.suppressed AND NOT n.suppressed) AS newly_published,
               list(DISTINCT n.region_code ORDER BY n.region_code)
                   FILTER (WHERE n.value IS DISTINCT FROM o.value AND n.region_level = 'nederland') AS nl_changed
        FROM n FULL OUTER JOIN o ON {keys}
        GROUP BY 1 ORDER BY 1
        """
    ).fetchall()
    moved = {
        code: {"rows_added": added, "rows_removed": removed, "values_changed": changed,
               "max_abs_change": round(maxabs, 6) if maxabs is not None else None,
               "cells_newly_withheld": withheld, "cells_newly_published": published,
               "national_value_changed": bool(nl)}
        for code, removed, added, changed, maxabs, withheld, published, nl in rows
        if added or removed or changed or withheld or published
    }
    return {"first_release": False, "indicators": moved}


def publish_year(con: duckdb.DuckDBPyConnection, paths: Paths, year: int, run_id: str,
                 checks: dict, reason: str | None = None) -> ReleaseOutcome:
    """Release the year's marts from the warehouse connection `con` (read only here). `reason`
    says why a released year is built again (e.g. a new classification), for `releases.changes`."""
    slice_sql = (f"SELECT * FROM marts.indicator_values WHERE year_to = {int(year)} "
                 f"ORDER BY {', '.join(VALUE_KEYS)}")
    rows, values_hash = _content_hash(con, slice_sql)
    if rows == 0:
        raise ReleaseError(f"marts.indicator_values has no rows for {year}: nothing to release")
    # the fixed classification of the series (the year's own one is published beside it)
    (classification,) = con.execute(
        "SELECT max(classification_year) FROM marts.indicator_values WHERE year_to = ?", [year]).fetchone()
    # keyed source/year/file: every regions year has its own herindelingen.csv
    inputs = {
        f"{source}/{file_year}/{file_name}": sha
        for source, file_year, file_name, sha in con.execute(
            "SELECT source, year, file_name, sha256 FROM raw.ingest_log "
            "WHERE year = ? OR source = 'regions' ORDER BY source, year, file_name", [year]
        ).fetchall()
    }
    (edition,) = con.execute(
        "SELECT any_value(definition_edition) FROM marts.indicator_values WHERE year_to = ?", [year]).fetchone()
    outputs = {"indicator_values": {"rows": rows, "content_md5": values_hash}}
    for table in REFERENCE_TABLES:
        n, digest = _content_hash(con, f"SELECT * FROM marts.{table}")
        outputs[table] = {"rows": n, "content_md5": digest}

    year_dir = paths.releases / str(year)
    with _publish_lock(paths):
        _remove_leftovers(paths, year_dir)
        version, previous = latest_release(paths, year)
        unchanged = previous is not None and previous.get("inputs") == inputs and all(
            previous.get("outputs", {}).get(t, {}).get("content_md5") == o["content_md5"]
            for t, o in outputs.items()
        )
        if unchanged:
            # the release folder exists; publish it if a crash came between the two steps, or
            # when the published file predates the analyst views (it is rebuilt with them)
            outcome = ReleaseOutcome(year, version, False, year_dir / f"v{version}", rows, {})
            if not _published_has(paths, year, version) or not published_has_views(paths.published) \
                    or not _published_has_synthetic(paths):
                _swap_or_explain(con, paths, year, version, outcome.release_dir, previous)
            return outcome

        version += 1
        previous_dir = year_dir / f"v{version - 1}" if version > 1 else None
        changes = _diff_against_previous(con, previous_dir, slice_sql)
        previous_classification = released_classification(paths, year) if previous else None
        if previous_classification is not None and previous_classification != classification:
            changes["classification"] = f"{previous_classification} -> {classification}"
        if reason:
            changes["reason"] = reason
        changes["inputs_changed"] = sorted(
            k for k in set(inputs) | set((previous or {}).get("inputs", {}))
            if inputs.get(k) != (previous or {}).get("inputs", {}).get(k)
        ) if previous else sorted(inputs)
        try:
            final, manifest = _write_release(con, paths, year, version, run_id, slice_sql, inputs, outputs,
                                             checks, changes, classification, edition)
        except (OSError, duckdb.Error) as exc:
            raise ReleaseError(
                f"{year}: cannot write release v{version} in {year_dir}: {_reason(exc)}. Nothing was published; "
                f"{_still_published(paths, year)}"
            ) from exc
        pause_point("publish")  # tests kill the run here: release folder written, not yet published
        _swap_or_explain(con, paths, year, version, final, manifest)
    return ReleaseOutcome(year, version, True, final, rows, changes)


def _write_release(con, paths: Paths, year: int, version: int, run_id: str, slice_sql: str, inputs: dict,
                   outputs: dict, checks: dict, changes: dict, classification: int,
                   edition: str | None) -> tuple[Path, dict]:
    """releases/<year>/v<version>/ written in a hidden folder and renamed into place in one step."""
    year_dir = paths.releases / str(year)
    year_dir.mkdir(parents=True, exist_ok=True)
    staging = year_dir / f".v{version}.tmp-{uuid.uuid4().hex[:8]}"
    staging.mkdir()
    try:
        con.execute(
            f"COPY (SELECT * REPLACE ({int(year)} AS release_year, {version} AS release_version) "
            f"FROM ({slice_sql})) TO {sql_path(staging / 'indicator_values.parquet')} (FORMAT parquet)"
        )
        for table in REFERENCE_TABLES:
            # ordered, so that the same marts always give byte-identical files
            con.execute(f"COPY (SELECT * FROM marts.{table} ORDER BY ALL) TO {sql_path(staging / f'{table}.parquet')} "
                        "(FORMAT parquet)")
        for table in outputs:
            outputs[table]["parquet_sha256"] = _file_sha256(staging / f"{table}.parquet")
        manifest = {
            "year": year,
            "version": version,
            "released_at": dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"),
            "run_id": run_id,
            "classification_year": int(classification),
            "definition_edition": edition,  # the edition of the definitions (KSM_EDITION)
            "input_layout": "cbs-ra" if uses_ra_layout(paths) else "extract",
            "inputs": inputs,
            "outputs": outputs,
            "checks": checks,
            "changes": changes,
            "synthetic": bool(synthetic_inputs(paths.inbox, inputs)),
            "versions": _package_versions(),
        }
        _write_manifest(staging / "manifest.json", manifest)
        final = year_dir / f"v{version}"
        os.rename(staging, final)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return final, manifest


def _write_manifest(path: Path, manifest: dict) -> None:
    with path.open("w", encoding="utf-8") as handle:
        handle.write(json.dumps(manifest, indent=2, sort_keys=True) + "\n")
        handle.flush()
        os.fsync(handle.fileno())


def sql_path(path: Path) -> str:
    return "'" + path.as_posix().replace("'", "''") + "'"


def _remove_leftovers(paths: Paths, year_dir: Path) -> None:
    """Half-written files of a process that died while publishing (we hold the lock, so no live
    process is writing them)."""
    if year_dir.is_dir():
        for stale in year_dir.glob(".v*.tmp-*"):
            shutil.rmtree(stale, ignore_errors=True)
    if paths.published_dir.is_dir():
        for stale in paths.published_dir.glob(".monitor-*.duckdb*"):
            with contextlib.suppress(OSError):
                stale.unlink()


def _still_published(paths: Paths, year: int) -> str:
    version = _published_version(paths, year)
    return (f"{paths.published} still holds release v{version} of {year}" if version
            else f"{paths.published} is unchanged")


def _swap_or_explain(con, paths: Paths, year: int, version: int, release_dir: Path, manifest: dict) -> None:
    try:
        _swap_published(con, paths, year, version, release_dir, manifest)
    except (OSError, duckdb.Error) as exc:
        raise ReleaseError(
            f"{year}: release v{version} is in {release_dir}, but {paths.published} could not be replaced: "
            f"{_reason(exc)}. {_still_published(paths, year)}; run the year again once this is fixed"
        ) from exc


def _published_version(paths: Paths, year: int) -> int | None:
    if not paths.published.exists():
        return None
    with contextlib.suppress(duckdb.Error), \
            contextlib.closing(duckdb.connect(str(paths.published), read_only=True)) as pub:
        return pub.execute("SELECT max(version) FROM releases WHERE year = ?", [year]).fetchone()[0]
    return None


def _published_has(paths: Paths, year: int, version: int) -> bool:
    if not paths.published.exists():
        return False
    with contextlib.closing(duckdb.connect(str(paths.published), read_only=True)) as pub:
        return bool(pub.execute(
            "SELECT count(*) FROM releases WHERE year = ? AND version = ?", [year, version]
        ).fetchone()[0])


def _published_has_synthetic(paths: Paths) -> bool:
    """False for a published file written before releases had the synthetic flag (it is rebuilt)."""
    if not paths.published.exists():
        return False
    with contextlib.closing(duckdb.connect(str(paths.published), read_only=True)) as pub:
        return bool(pub.execute("SELECT count(*) FROM duckdb_columns() WHERE table_name = 'releases' "
                                "AND column_name = 'synthetic'").fetchone()[0])


def _swap_published(con: duckdb.DuckDBPyConnection, paths: Paths, year: int, version: int,
                    release_dir: Path, manifest: dict) -> None:
    """Write a new published file and rename it over the old one: a copy of the old file with
    the year's rows replaced (see `_updatable`), else a file written afresh from the old file's
    other years and this year's release folder."""
    paths.published_dir.mkdir(parents=True, exist_ok=True)
    new_file = paths.published_dir / f".monitor-{uuid.uuid4().hex[:8]}.duckdb"
    old_exists = paths.published.exists()
    release_values = sql_path(release_dir / "indicator_values.parquet")
    try:
        in_place = old_exists and _updatable(con, paths.published, release_values)
        if in_place:
            shutil.copyfile(paths.published, new_file)
        con.execute(f"ATTACH {sql_path(new_file)} AS ksm_new")
        afresh_from_old = old_exists and not in_place
        if afresh_from_old:
            con.execute(f"ATTACH {sql_path(paths.published)} AS ksm_old (READ_ONLY)")
        try:
            if in_place:
                con.execute(f"DELETE FROM ksm_new.main.indicator_values WHERE year_to = {int(year)}")
                con.execute("INSERT INTO ksm_new.main.indicator_values BY NAME "
                            f"SELECT * FROM read_parquet({release_values})")
            else:
                earlier = (f"SELECT * FROM ksm_old.main.indicator_values WHERE year_to <> {int(year)} "
                           "UNION ALL BY NAME " if afresh_from_old else "")
                con.execute(f"CREATE TABLE ksm_new.main.indicator_values AS {earlier}"
                            f"SELECT * FROM read_parquet({release_values})")
                con.execute(releases_ddl("ksm_new.main.releases"))
                if afresh_from_old:
                    con.execute("INSERT INTO ksm_new.main.releases BY NAME SELECT * FROM ksm_old.main.releases")
            for table in REFERENCE_TABLES:
                con.execute(f"CREATE OR REPLACE TABLE ksm_new.main.{table} AS "
                            f"SELECT * FROM read_parquet({sql_path(release_dir / f'{table}.parquet')})")
            _record_release(con, paths, year, version, release_dir, manifest)
            con.execute("CHECKPOINT ksm_new")
        finally:
            con.execute("DETACH ksm_new")
            if afresh_from_old:
                con.execute("DETACH ksm_old")
        create_analyst_views(new_file)  # over the new file's own tables only
        fd = os.open(new_file, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)
        # a log left beside the old file by some other writer belongs to the old file: beside
        # the new one it would make every reader fail ("WAL does not match database file")
        paths.published.with_name(paths.published.name + ".wal").unlink(missing_ok=True)
        os.replace(new_file, paths.published)
    finally:
        for leftover in (new_file, new_file.with_name(new_file.name + ".wal")):
            leftover.unlink(missing_ok=True)


# Above this share of free blocks the published file is written afresh instead of copied and
# updated: a year built again leaves the blocks of its old rows free, and a copy keeps them
COMPACT_FREE_SHARE = 0.25


def _updatable(con: duckdb.DuckDBPyConnection, published: Path, release_values: str) -> bool:
    """True when a copy of the published file can take the release by replacing the year's rows,
    the cost of one year instead of every year: its `indicator_values` has exactly the release's
    columns (in any order: the rows go in by name) and its `releases` this version's (in order:
    a release's row goes in by position), it has no write-ahead log (it is only ever written
    whole) and at most COMPACT_FREE_SHARE of its blocks are free."""
    if published.with_name(published.name + ".wal").exists():
        return False
    expected = {
        "indicator_values": sorted(f"{name} {kind}" for name, kind, *_ in
                                   con.execute(f"DESCRIBE SELECT * FROM read_parquet({release_values})").fetchall()),
        "releases": [f"{name} {kind}" for name, (kind, _) in RELEASES_TABLE[1].items()],
    }
    con.execute(f"ATTACH {sql_path(published)} AS ksm_check (READ_ONLY)")
    try:
        found = dict(con.execute(
            "SELECT table_name, list(column_name || ' ' || data_type ORDER BY column_index) FROM duckdb_columns() "
            "WHERE database_name = 'ksm_check' AND schema_name = 'main' AND table_name IN ('indicator_values', "
            "'releases') GROUP BY table_name").fetchall())
        free, total = con.execute("SELECT free_blocks, total_blocks FROM pragma_database_size() "
                                  "WHERE database_name = 'ksm_check'").fetchone()
    finally:
        con.execute("DETACH ksm_check")
    found["indicator_values"] = sorted(found.get("indicator_values", []))
    return found == expected and free <= COMPACT_FREE_SHARE * max(total, 1)


def _record_release(con: duckdb.DuckDBPyConnection, paths: Paths, year: int, version: int, release_dir: Path,
                    manifest: dict) -> None:
    """The version's row in the new file's `releases` (instead of an earlier row of the same
    version: a release folder published again), and the synthetic flag of the versions released
    before the flag existed, from the markers in the inbox as far as they match."""
    con.execute("DELETE FROM ksm_new.main.releases WHERE year = ? AND version = ?", [year, version])
    for old_year, old_version, old_inputs in con.execute(
            "SELECT year, version, input_checksums FROM ksm_new.main.releases WHERE synthetic IS NULL").fetchall():
        flag = bool(synthetic_inputs(paths.inbox, json.loads(old_inputs or "{}")))
        con.execute("UPDATE ksm_new.main.releases SET synthetic = ? WHERE year = ? AND version = ?",
                    [flag, old_year, old_version])
    checks = manifest.get("checks", {})
    synthetic = manifest.get("synthetic")  # a release written before the flag: ask the inbox
    if synthetic is None:
        synthetic = bool(synthetic_inputs(paths.inbox, manifest.get("inputs", {})))
    con.execute(
        "INSERT INTO ksm_new.main.releases VALUES (?, ?, ?, 'released', ?, ?, ?, ?, ?, ?, ?)",
        [year, version, manifest["released_at"], checks.get("passed", 0), checks.get("failed", 0),
         json.dumps(manifest["inputs"], sort_keys=True), json.dumps(manifest.get("changes", {})),
         manifest.get("run_id", ""), str(release_dir.relative_to(paths.home)), synthetic],
    )
