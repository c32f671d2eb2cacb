"""dbt's parsed manifest, which dagster-dbt reads when the definitions are built (not at import)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from orchestration.settings import DBT_PROJECT_DIR, Paths, venv_program

MANIFEST = DBT_PROJECT_DIR / "target" / "manifest.json"


class DbtParseError(Exception):
    pass


def _project_files() -> list[Path]:
    skip = {"target", "logs", "dbt_packages"}
    return [p for p in DBT_PROJECT_DIR.rglob("*")
            if p.is_file() and p.suffix in {".sql", ".yml", ".csv"} and not skip & set(p.parts)]


def ensure_dbt_manifest() -> Path:
    """Parse the dbt project when the manifest is missing or older than any project file."""
    if MANIFEST.exists():
        built = MANIFEST.stat().st_mtime
        if all(p.stat().st_mtime <= built for p in _project_files()):
            return MANIFEST
    print("parsing the dbt project ...", file=sys.stderr, flush=True)
    env = dict(os.environ)
    env.setdefault("KSM_WAREHOUSE", str(Paths.from_env().warehouse))  # parse never opens it
    done = subprocess.run(
        [str(venv_program("dbt")), "parse", "--quiet",
         "--project-dir", str(DBT_PROJECT_DIR), "--profiles-dir", str(DBT_PROJECT_DIR)],
        capture_output=True, text=True, env=env,
    )
    if done.returncode != 0:
        raise DbtParseError("dbt parse failed:\n" + (done.stdout + done.stderr).strip())
    return MANIFEST
