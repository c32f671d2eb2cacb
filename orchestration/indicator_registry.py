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

# what is published about an indicator: the columns of the `indicators` mart, in order
# (the definitions without a suffix are the English ones; the `_nl` ones say the same in Dutch)
CATALOGUE_FIELDS = ["indicator_code", "name_nl", "name_en", "definition", "numerator_definition",
                    "denominator_definition", "definition_nl", "numerator_definition_nl",
                    "denominator_definition_nl", "unit", "multiplier", "polarity", "source", "phase",
                    "interval_method", "disclosure_rule"]


@cache
def _project_vars() -> dict:
    return yaml.safe_load(DBT_PROJECT_FILE.read_text(encoding="utf-8"))["vars"]


def indicators() -> list[dict]:
    """The registry entries in registry order; `indicator_code` added (= `code`)."""
    return [{**entry, "indicator_code": entry["code"]} for entry in _project_vars()["ksm_indicators"]]


def catalogue_rows() -> list[dict]:
    """One row per indicator with the `indicators` mart's columns, as text (like a CSV row)."""
    return [{field: str(entry.get(field, "")) for field in CATALOGUE_FIELDS} for entry in indicators()]


def breakdown_rows() -> list[dict]:
    """(indicator_code, breakdown) pairs: 'total' for every indicator, then its breakdowns."""
    return [{"indicator_code": entry["code"], "breakdown": breakdown}
            for entry in indicators() for breakdown in ["total", *entry.get("breakdowns", [])]]


def breakdown_names() -> list[str]:
    return list(_project_vars()["ksm_breakdowns"])
