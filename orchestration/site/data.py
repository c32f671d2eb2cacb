"""What the site shows, read once from the published file (the one read-only connection)."""

from __future__ import annotations

import contextlib
import csv
from dataclasses import dataclass, field
from pathlib import Path

from orchestration.published import open_published
from orchestration.report.data import ReportError, latest_release
from orchestration.report.i18n import Words, by_phase
from orchestration.settings import DBT_PROJECT_DIR

ROW_COLUMNS = ("indicator_code", "region_code", "region_level", "period", "year_from", "year_to",
               "breakdown", "breakdown_category", "numerator", "denominator", "value", "ci95_lower",
               "ci95_upper", "suppressed", "suppression_reason", "compared_to_nl", "compared_to_parent",
               "compared_to_provincie", "trend", "worse_and_worsening")
LEVELS = ("gemeente", "ggd_regio", "provincie", "nederland")
NEDERLAND = "NL01"


@dataclass(frozen=True)
class Indicator:
    code: str
    name: str            # in the site's language
    definition: str      # in the site's language
    unit: str
    multiplier: int
    polarity: str
    phase: str
    map_period: str      # the gemeenten's period: the pooled one ending in the year when built
    quality_note: str = ""  # a caveat to show with the figures, in the site's language


@dataclass(frozen=True)
class Area:
    code: str
    name: str
    level: str
    ggd_code: str | None
    ggd_name: str | None
    provincie_code: str | None
    provincie_name: str | None


@dataclass
class SiteData:
    year: int
    version: int
    released_at: str
    classification_year: int
    synthetic: bool
    words: Words
    indicators: list[Indicator] = field(default_factory=list)
    areas: dict[str, Area] = field(default_factory=dict)
    rows: dict[tuple[str, str, str], dict] = field(default_factory=dict)   # (indicator, region, period)
    breakdowns: dict[str, list[dict]] = field(default_factory=dict)       # indicator -> Nederland's rows
    # (indicator, breakdown the slope runs over) -> Nederland's slope index of inequality row
    inequality: dict[tuple[str, str], dict] = field(default_factory=dict)
    mergers: list[dict] = field(default_factory=list)
    changes: dict = field(default_factory=dict)                           # releases.changes of this version

    def of_level(self, level: str) -> list[Area]:
        return sorted((a for a in self.areas.values() if a.level == level), key=lambda a: (a.name, a.code))

    def row(self, indicator: str, region: str, period: str) -> dict | None:
        return self.rows.get((indicator, region, period))

    def series(self, indicator: str, region: str) -> list[dict]:
        """The region's yearly rows up to the release year, in order."""
        return [self.rows[(indicator, region, str(y))] for y in range(self.year - 30, self.year + 1)
                if (indicator, region, str(y)) in self.rows]

    def period_for(self, indicator: Indicator, level: str) -> str:
        """Gemeenten are compared on the pooled period when there is one (few have a yearly figure);
        larger areas on the year."""
        return indicator.map_period if level == "gemeente" else str(self.year)


def select_list(con, columns: tuple[str, ...]) -> str:
    """The columns of indicator_values to select; one that a file published before it existed
    lacks reads NULL."""
    present = {r[0] for r in con.execute("SELECT column_name FROM duckdb_columns() "
                                         "WHERE table_name = 'indicator_values'").fetchall()}
    return ", ".join(c if c in present else f"NULL AS {c}" for c in columns)


def _rows(con, sql: str, params: list) -> list[dict]:
    cursor = con.execute(sql, params)
    names = [d[0] for d in cursor.description]
    return [dict(zip(names, r)) for r in cursor.fetchall()]


def category_labels(lang: str) -> dict[tuple[str, str], tuple[int, str]]:
    """(breakdown, category) -> (sort order, label) from the dbt seed that defines the categories."""
    path = DBT_PROJECT_DIR / "seeds" / "breakdown_categories.csv"
    if not path.exists():
        return {}
    with path.open(encoding="utf-8", newline="") as handle:
        return {(r["breakdown"], r["breakdown_category"]): (int(r["sort_order"] or 0), r[f"label_{lang}"])
                for r in csv.DictReader(handle)}


def load_site_data(published: Path, year: int, words: Words) -> SiteData:
    if not published.exists():
        raise ReportError(f"nothing published yet ({published}); run `ksm run --all` first")
    with contextlib.closing(open_published(published)) as con:
        release = latest_release(con, year)
        classification = release.classification_year
        data = SiteData(year, release.version, release.released_at, classification, release.synthetic, words,
                        changes=release.changes)
        for r in _rows(con, "SELECT region_code, region_name, region_level, ggd_code, ggd_name, provincie_code, "
                            "provincie_name FROM regions WHERE classification_year = ?", [classification]):
            data.areas[r["region_code"]] = Area(r["region_code"], r["region_name"], r["region_level"], r["ggd_code"],
                                                r["ggd_name"], r["provincie_code"], r["provincie_name"])
        columns = select_list(con, ROW_COLUMNS)
        for r in _rows(con, f"SELECT {columns} FROM indicator_values WHERE classification_year = ? "
                            "AND breakdown = 'total' AND year_to <= ?", [classification, year]):
            data.rows[(r["indicator_code"], r["region_code"], r["period"])] = r
        built = {code for (code, _region, period) in data.rows if period == str(year)}
        pooled = dict(con.execute(
            "SELECT indicator_code, min(period) FROM indicator_values WHERE classification_year = ? "
            "AND breakdown = 'total' AND region_level = 'gemeente' AND year_to = ? AND year_from < year_to "
            "GROUP BY 1", [classification, year]).fetchall())
        metas = _rows(con, "SELECT * FROM indicators", [])
        for meta in by_phase(metas):
            code = meta["indicator_code"]
            if code not in built:
                continue
            name = words.indicator_name(meta)
            data.indicators.append(Indicator(code, name, words.indicator_definition(meta), meta["unit"],
                                             meta["multiplier"], meta["polarity"], meta["phase"],
                                             pooled.get(code) or str(year), words.indicator_quality_note(meta)))
        labels = category_labels(words.lang)
        for r in _rows(con, f"SELECT {columns} FROM indicator_values WHERE classification_year = ? "
                            "AND breakdown <> 'total' AND region_level = 'nederland' AND period = ?",
                       [classification, str(year)]):
            if r["breakdown"] == "sii":  # a statistic over a breakdown's categories, not a category
                data.inequality[(r["indicator_code"], r["breakdown_category"])] = r
                continue
            order, label = labels.get((r["breakdown"], r["breakdown_category"]), (99, r["breakdown_category"]))
            r["label"], r["order"] = label, order
            data.breakdowns.setdefault(r["indicator_code"], []).append(r)
        for rows in data.breakdowns.values():
            rows.sort(key=lambda r: (r["breakdown"], r["order"], r["breakdown_category"]))
        data.mergers = _rows(con, "SELECT old_code, old_name, new_code, new_name, classification_year, "
                                  "allocation_share FROM region_mergers ORDER BY classification_year, old_code", [])
    return data
