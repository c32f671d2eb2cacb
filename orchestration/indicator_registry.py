"""The indicator registry, read from where dbt reads it: var `ksm_indicators` (and the breakdowns
of var `ksm_breakdowns`) in dbt_project/dbt_project.yml. One entry per indicator: what is
published about it, how it is counted (record set, numerator and denominator conditions),
which sources it needs, whether it is pooled, its breakdowns, interval method and disclosure
rule. Reading it has no side effects.
"""

from __future__ import annotations

from functools import cache

import yaml

from orchestration.settings import DBT_PROJECT_DIR

DBT_PROJECT_FILE = DBT_PROJECT_DIR / "dbt_project.yml"

EDITION_ENV = "KSM_EDITION"
DEFAULT_EDITION = "brief"


@cache
def _project_vars() -> dict:
    return yaml.safe_load(DBT_PROJECT_FILE.read_text(encoding="utf-8"))["vars"]


def indicators() -> list[dict]:
    """The registry entries in registry order; `indicator_code` added (= `code`)."""
    return [{**entry, "indicator_code": entry["code"]} for entry in _project_vars()["ksm_indicators"]]


def editions() -> list[dict]:
    """The editions of the definitions (var `ksm_editions`): code, names, whose flags count."""
    return list(_project_vars()["ksm_editions"])


def definition_edition(env=None) -> str:
    """The edition a build uses: $KSM_EDITION, default 'brief' (dbt reads the same variable,
    macros/editions.sql); ValueError naming the known ones for any other value."""
    import os

    code = ((os.environ if env is None else env).get(EDITION_ENV) or "").strip() or DEFAULT_EDITION
    known = [e["code"] for e in editions()]
    if code not in known:
        raise ValueError(f"{EDITION_ENV}={code!r} is not an edition of the definitions; known: {', '.join(known)}")
    return code


def breakdown_rows() -> list[dict]:
    """(indicator_code, breakdown) pairs: 'total' for every indicator, then its breakdowns."""
    return [{"indicator_code": entry["code"], "breakdown": breakdown}
            for entry in indicators() for breakdown in ["total", *entry.get("breakdowns", [])]]


def breakdown_names() -> list[str]:
    return list(_project_vars()["ksm_breakdowns"])
