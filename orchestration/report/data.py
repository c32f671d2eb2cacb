"""What the report shows, read from the published file only (read-only, no external access)."""

from __future__ import annotations

import contextlib
import json
from dataclasses import dataclass, field
from pathlib import Path

from orchestration.published import open_published
from orchestration.query_bounds import QueryBounds, time_limit
from orchestration.report.i18n import Words, by_phase

_ROW_COLUMNS = ("region_code", "region_name", "region_level", "period", "year_from", "year_to",
                "numerator", "denominator", "value", "ci95_lower", "ci95_upper", "suppressed",
                "suppression_reason", "compared_to_nl", "trend")


class ReportError(Exception):
    """A report that cannot be made, with the reason in one line."""


@dataclass
class IndicatorReport:
    code: str
    name_en: str
    name_nl: str
    definition_en: str
    definition_nl: str | None     # None in a file published before the Dutch definitions
    unit: str
    polarity: str
    phase: str | None
    national: list[dict]          # Nederland's yearly 'total' rows up to the year
    map_period: str | None        # pooled period when built for the year, else the year
    gemeenten: dict[str, dict]    # gemeente code -> its row for map_period
    ggd: list[dict]               # GGD-regio rows of the year, by name
    nederland: dict | None        # Nederland's row of the year
    meta: dict = field(default_factory=dict)  # its row of `indicators` (quality notes)

    def name(self, words: Words) -> str:
        return words.indicator_name({"name_nl": self.name_nl, "name_en": self.name_en})

    def definition(self, words: Words) -> str:
        return words.indicator_definition({"definition": self.definition_en, "definition_nl": self.definition_nl})

    def quality_note(self, words: Words) -> str:
        return words.indicator_quality_note(self.meta)


@dataclass
class ReportData:
    year: int
    version: int
    released_at: str
    classification_year: int
    gemeente_names: dict[str, str]
    indicators: list[IndicatorReport] = field(default_factory=list)
    profile: list[dict] | None = None   # gemeente_profile-like rows for one gemeente
    profile_gemeente: str | None = None
    synthetic: bool = False


@dataclass(frozen=True)
class Release:
    """The newest version of a released year, as the report and the site show it."""
    version: int
    released_at: str          # 'YYYY-MM-DD HH:MM UTC'
    classification_year: int  # the newest classification the year is published on
    synthetic: bool           # built from synthetic demo data
    changes: dict             # releases.changes


def latest_release(con, year: int) -> Release:
    """From a connection to the published file; ReportError when the year has no release."""
    columns = {c for (c,) in con.execute(
        "SELECT column_name FROM duckdb_columns() WHERE table_name = 'releases'").fetchall()}
    synthetic = "coalesce(synthetic, false)" if "synthetic" in columns else "false"  # files before the flag
    row = con.execute(
        "SELECT version, strftime(released_at AT TIME ZONE 'UTC', '%Y-%m-%d %H:%M UTC'), "
        f"{synthetic}, changes FROM releases WHERE year = ? ORDER BY version DESC LIMIT 1", [year]).fetchone()
    if row is None:
        raise ReportError(f"{year} has no release; see `ksm status`")
    classification = con.execute(
        "SELECT max(classification_year) FROM indicator_values WHERE year_to = ?", [year]).fetchone()[0]
    try:
        changes = json.loads(row[3] or "{}")
    except (TypeError, ValueError):
        changes = {}
    return Release(row[0], row[1], classification, bool(row[2]), changes if isinstance(changes, dict) else {})


def connect(published: Path, bounds: QueryBounds | None = None):
    if not published.exists():
        raise ReportError(f"nothing published yet ({published}); run `ksm run --all` first")
    return open_published(published, bounds)


def _rows(con, sql: str, params: list) -> list[dict]:
    cursor = con.execute(sql, params)
    names = [d[0] for d in cursor.description]
    return [dict(zip(names, r)) for r in cursor.fetchall()]


def load_report_data(published: Path, year: int, gemeente: str | None = None) -> ReportData:
    bounds = QueryBounds.from_env()  # the same bounds as `ksm query`, on the report's reading as a whole
    with contextlib.closing(connect(published, bounds)) as con, time_limit(con, bounds):
        release = latest_release(con, year)
        classification = release.classification_year
        names = dict(con.execute(
            "SELECT region_code, region_name FROM regions WHERE classification_year = ? "
            "AND region_level = 'gemeente'", [classification]).fetchall())
        data = ReportData(year, release.version, release.released_at, classification, names,
                          synthetic=release.synthetic)
        columns = ", ".join(_ROW_COLUMNS)
        base = ("FROM indicator_values WHERE indicator_code = ? AND classification_year = ? "
                "AND breakdown = 'total'")
        metas = _rows(con, "SELECT * FROM indicators", [])
        for meta in by_phase(metas):
            code = meta["indicator_code"]
            if not con.execute(f"SELECT count(*) {base} AND year_to = ?", [code, classification, year]).fetchone()[0]:
                continue  # not built for this year
            national = _rows(con, f"SELECT {columns} {base} AND region_level = 'nederland' "
                                  "AND year_from = year_to AND year_to <= ? ORDER BY year_to",
                             [code, classification, year])
            pooled = con.execute(
                f"SELECT min(period) {base} AND region_level = 'gemeente' AND year_to = ? AND year_from < year_to",
                [code, classification, year]).fetchone()[0]
            map_period = pooled or str(year)
            gemeenten = {r["region_code"]: r for r in _rows(
                con, f"SELECT {columns} {base} AND region_level = 'gemeente' AND period = ?",
                [code, classification, map_period])}
            ggd = _rows(con, f"SELECT {columns} {base} AND region_level = 'ggd_regio' AND period = ? "
                             "ORDER BY region_name", [code, classification, str(year)])
            nl_now = next((r for r in national if r["year_to"] == year), None)
            data.indicators.append(IndicatorReport(
                code, meta["name_en"], meta["name_nl"], meta["definition"], meta.get("definition_nl"), meta["unit"],
                meta["polarity"], meta["phase"], national, map_period, gemeenten, ggd, nl_now, meta))
        if gemeente:
            data.profile_gemeente = gemeente
            data.profile = _gemeente_profile(con, year, classification, gemeente, names)
            order = {i.code: n for n, i in enumerate(data.indicators)}  # the one order, by phase
            data.profile.sort(key=lambda r: (order.get(r["indicator_code"], len(order)), r["indicator_code"]))
    return data


def _gemeente_profile(con, year: int, classification: int, gemeente: str, names: dict) -> list[dict]:
    """The gemeente's 'total' rows of the year beside Nederland's, per indicator."""
    if gemeente not in names:
        raise ReportError(f"{gemeente} is not a gemeente of the {classification} classification "
                          "the release uses (codes like GM0363; see the regions table)")
    return _rows(con, """
        SELECT g.indicator_code, i.name_en, i.name_nl, g.unit, g.period, g.value, g.ci95_lower, g.ci95_upper,
               g.suppressed, g.suppression_reason, g.compared_to_nl, g.trend,
               n.value AS nl_value, p.period AS pooled_period, p.value AS pooled_value,
               p.ci95_lower AS pooled_ci95_lower, p.ci95_upper AS pooled_ci95_upper,
               p.suppressed AS pooled_suppressed, p.compared_to_nl AS pooled_compared_to_nl
        FROM indicator_values g
        JOIN indicators i USING (indicator_code)
        LEFT JOIN indicator_values n ON n.indicator_code = g.indicator_code AND n.period = g.period
            AND n.classification_year = g.classification_year AND n.region_level = 'nederland'
            AND n.breakdown = 'total'
        LEFT JOIN indicator_values p ON p.indicator_code = g.indicator_code AND p.region_code = g.region_code
            AND p.classification_year = g.classification_year AND p.breakdown = 'total'
            AND p.year_to = g.year_to AND p.year_from < p.year_to
        WHERE g.region_code = ? AND g.classification_year = ? AND g.breakdown = 'total'
          AND g.year_from = ? AND g.year_to = ?
        ORDER BY g.indicator_code
    """, [gemeente, classification, year, year])
