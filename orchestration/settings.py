"""Where things live. Everything sits under $KSM_HOME (default ./var); see the README."""

from __future__ import annotations

import os
import shutil
import sys
import sysconfig
from dataclasses import dataclass
from pathlib import Path


def _project_root() -> Path:
    """The checkout (dbt_project/, expectations/): this package's parent in a checkout (make setup);
    when the project's wheel is installed into a venv (CBS Remote Access), $KSM_PROJECT_DIR or the
    folder ksm runs in."""
    here = Path(__file__).resolve().parent.parent
    if (here / "dbt_project").is_dir():
        return here
    return Path(os.environ.get("KSM_PROJECT_DIR") or os.getcwd()).resolve()


def venv_program(name: str) -> Path:
    """A console program of this Python's environment (dbt, ksm): bin/<name> on Linux, but
    Scripts\\<name>.exe in a Windows venv; then PATH. Whatever PATH says comes last."""
    folders = [Path(sys.executable).parent, Path(sysconfig.get_path("scripts"))]
    names = [f"{name}.exe", name] if os.name == "nt" else [name]
    for folder in folders:
        for candidate in names:
            if (folder / candidate).is_file():
                return folder / candidate
    found = shutil.which(name)
    return Path(found) if found else folders[0] / names[0]


PROJECT_ROOT = _project_root()
DBT_PROJECT_DIR = PROJECT_ROOT / "dbt_project"
EXPECTATIONS_DIR = PROJECT_ROOT / "expectations"

# The monitor starts in 2017; every later year exists once its extracts are in the inbox
# (`orchestration.alerts.inbox.monitor_years`): there is no last year.
DEFAULT_FIRST_YEAR = 2017


def first_year(env=None) -> int:
    """The first monitor year: $KSM_FIRST_YEAR, default 2017."""
    text = ((os.environ if env is None else env).get("KSM_FIRST_YEAR") or "").strip()
    if not text:
        return DEFAULT_FIRST_YEAR
    if not (text.isdigit() and len(text) == 4):
        raise ValueError(f"KSM_FIRST_YEAR must be a four-digit year such as 2017, not {text!r}")
    return int(text)


@dataclass(frozen=True)
class Paths:
    home: Path

    @classmethod
    def from_env(cls) -> "Paths":
        return cls(Path(os.environ.get("KSM_HOME", "var")).resolve())

    @property
    def inbox(self) -> Path:
        return self.home / "inbox"

    @property
    def ra_layout_file(self) -> Path:
        """Present: the home reads the record-level sources from CBS Remote Access tables (the RA
        layout, orchestration/ra) instead of the inbox; it says where the RA drives are."""
        return self.home / "ra_layout.toml"

    @property
    def warehouse(self) -> Path:
        return self.home / "warehouse.duckdb"

    @property
    def published_dir(self) -> Path:
        return self.home / "published"

    @property
    def published(self) -> Path:
        return self.published_dir / "monitor.duckdb"

    @property
    def releases(self) -> Path:
        return self.home / "releases"

    @property
    def quarantine(self) -> Path:
        return self.home / "quarantine"

    @property
    def alerts(self) -> Path:
        return self.home / "alerts.jsonl"

    @property
    def ra_layout(self) -> Path:
        """Where the RA input layout's config is read from when present (orchestration/ra/layout.py)."""
        return self.home / "ra_layout.toml"

    @property
    def dagster_home(self) -> Path:
        return self.home / "dagster"

    def source_dir(self, source: str, year: int | str) -> Path:
        return self.inbox / source / str(year)

    def ensure(self) -> "Paths":
        for d in (self.inbox, self.published_dir, self.releases, self.quarantine, self.dagster_home):
            d.mkdir(parents=True, exist_ok=True)
        return self
