"""Linkage of the record-level sources that join Perined by `kind_id` (cbs_linked, vektis).

A linked source whose rows match no birth (or that misses many births) is valid row by row, so
its suite passes, yet every indicator computed from it drops: 30% orphan rows would take a third
off a national figure. Per linked source and year this measures

- the share of births matched: births of the year (as the source's `births` condition defines
  them, e.g. live births for vektis) that have a row in the source;
- the share of orphan rows: the source's rows whose key is no Perined child of the year;

and compares them with two thresholds each, a warning one and a blocking one. The settings live
in the source's suite (`expectations/<source>.json`, `meta.ksm.linkage`), next to its other checks.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import duckdb

from orchestration.sources import YEARLY_SOURCES

from .suites import load_suite_json, suite_settings


def linkage_settings(source: str) -> dict | None:
    return suite_settings(load_suite_json(source)).get("linkage")


LINKED_SOURCES = [s for s in YEARLY_SOURCES if linkage_settings(s)]


@dataclass
class Linkage:
    source: str
    year: int
    births: int
    matched_births: int
    rows: int
    orphan_rows: int
    settings: dict
    examples: list[str] = field(default_factory=list)

    @property
    def matched_share(self) -> float | None:
        return self.matched_births / self.births if self.births else None

    @property
    def orphan_share(self) -> float | None:
        return self.orphan_rows / self.rows if self.rows else None

    def problems(self, level: str) -> list[str]:
        """What is out of bounds at `level` ('warning' or 'blocking')."""
        found = []
        below = self.settings[f"matched_births_{level}_below"]
        above = self.settings[f"orphan_rows_{level}_above"]
        if self.matched_share is not None and self.matched_share < below:
            found.append(f"{self.matched_share:.1%} of births matched, below {below:.0%}")
        if self.orphan_share is not None and self.orphan_share > above:
            found.append(f"{self.orphan_share:.1%} of rows match no birth, above {above:.0%}")
        return found

    def summary(self, level: str | None = None) -> str:
        facts = (f"{self.source} {self.year}: {self.matched_births:,} of {self.births:,} births matched "
                 f"({_pct(self.matched_share)}), {self.orphan_rows:,} of {self.rows:,} rows match no birth "
                 f"({_pct(self.orphan_share)})")
        problems = self.problems(level) if level else []
        return facts + ("; " + "; ".join(problems) if problems else "")

    def as_dict(self) -> dict:
        return {"check": "linkage", "source": self.source, "year": self.year, "births": self.births,
                "matched_births": self.matched_births, "matched_share": self.matched_share, "rows": self.rows,
                "orphan_rows": self.orphan_rows, "orphan_share": self.orphan_share, "settings": self.settings,
                "blocking_problems": self.problems("blocking"), "warning_problems": self.problems("warning"),
                "orphan_examples": self.examples}


def _pct(share: float | None) -> str:
    return "n/a" if share is None else f"{share:.1%}"


def measure_linkage(con: duckdb.DuckDBPyConnection, source: str, year: int) -> Linkage:
    """Matched births and orphan rows of one linked source in one year (raw layer)."""
    settings = linkage_settings(source)
    if not settings:
        raise ValueError(f"{source} is not linked to another source")
    key, target = settings["key"], settings["linked_to"]
    births_sql = settings.get("births") or "true"
    births, matched, rows, orphans, examples = con.execute(
        f"""
        WITH target AS (SELECT DISTINCT {key} AS k, ({births_sql}) AS is_birth
                        FROM raw.{target} WHERE year = $year),
             linked AS (SELECT DISTINCT {key} AS k FROM raw.{source} WHERE year = $year)
        SELECT
            (SELECT count(*) FROM target WHERE is_birth),
            (SELECT count(*) FROM target JOIN linked USING (k) WHERE is_birth),
            (SELECT count(*) FROM raw.{source} WHERE year = $year),
            (SELECT count(*) FROM raw.{source} s WHERE year = $year
                AND NOT EXISTS (SELECT 1 FROM target t WHERE t.k = s.{key})),
            (SELECT list(k ORDER BY k) FROM (SELECT k FROM linked WHERE k NOT IN (SELECT k FROM target)
                ORDER BY k LIMIT 5))
        """,
        {"year": year},
    ).fetchone()
    return Linkage(source, year, int(births), int(matched), int(rows), int(orphans), settings,
                   list(examples or []))
