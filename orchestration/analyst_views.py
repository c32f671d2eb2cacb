"""Views for the common questions, created in the published file by the release step.

They are views over the published tables only (never the warehouse), so the published file
stays self-contained: whoever opens it read-only can use them. Each view lists its columns with
a description; `docs/data-dictionary.md` is generated from these and from the dbt YAML.

Both views use the *fixed classification*: the newest `classification_year` in
`indicator_values`, on which every year is comparable (a year also published in its own
classification keeps those rows in `indicator_values`, not here).
"""

from __future__ import annotations

import contextlib
from dataclasses import dataclass
from pathlib import Path

import duckdb



@dataclass(frozen=True)
class View:
    name: str
    description: str
    sql: str
    columns: dict[str, str]


_FIXED = "(SELECT max(classification_year) FROM indicator_values)"

INDICATOR_SERIES = View(
    name="indicator_series",
    description=(
        "Every indicator as a time series per region and breakdown category on the fixed "
        "classification (the newest classification_year in indicator_values), yearly and pooled "
        "periods, with the Nederland value of the same period and category beside each row."
    ),
    sql=f"""
        WITH v AS (
            SELECT * FROM indicator_values WHERE classification_year = {_FIXED}
        ),
        nl AS (
            SELECT indicator_code, period, breakdown, breakdown_category,
                   value AS nl_value, ci95_lower AS nl_ci95_lower, ci95_upper AS nl_ci95_upper
            FROM v WHERE region_level = 'nederland'
        )
        SELECT v.indicator_code, i.name_nl AS indicator_name_nl, i.name_en AS indicator_name_en,
               v.unit, i.polarity,
               v.region_code, v.region_name, v.region_level, v.classification_year,
               v.breakdown, v.breakdown_category,
               v.period, CASE WHEN v.year_from = v.year_to THEN 'year' ELSE 'pooled' END AS period_type,
               v.year_from, v.year_to,
               v.numerator, v.denominator, v.value, v.ci95_lower, v.ci95_upper, v.ci998_lower, v.ci998_upper,
               v.suppressed, v.suppression_reason,
               nl.nl_value, nl.nl_ci95_lower, nl.nl_ci95_upper,
               v.compared_to_nl, v.compared_to_parent, v.trend, v.worse_and_worsening,
               v.release_year, v.release_version
        FROM v
        LEFT JOIN indicators i USING (indicator_code)
        LEFT JOIN nl USING (indicator_code, period, breakdown, breakdown_category)
    """,
    columns={
        "indicator_code": "Indicator code (see `indicators`).",
        "indicator_name_nl": "Dutch name of the indicator.",
        "indicator_name_en": "English name of the indicator.",
        "unit": "'%' or 'per 1000'.",
        "polarity": "'low_is_good' or 'high_is_good'.",
        "region_code": "CBS region code (GMnnnn, GGnnnn, PVnn, NL01).",
        "region_name": "Region name in the fixed classification.",
        "region_level": "'gemeente', 'ggd_regio', 'provincie' or 'nederland'.",
        "classification_year": "The fixed classification every row is on.",
        "breakdown": "'total', the breakdown name, or 'sii' (slope index of inequality; see `indicator_values`).",
        "breakdown_category": "Category within the breakdown ('total' for the total; for 'sii' the breakdown "
                              "the slope runs over, 'income_quintile').",
        "period": "'2023' (a year) or '2019-2023' (a pooled 5-year period).",
        "period_type": "'year' or 'pooled'.",
        "year_from": "First year of the period.",
        "year_to": "Last year of the period; order a series by it.",
        "numerator": "Cases; NULL when withheld.",
        "denominator": "Population at risk; NULL when withheld.",
        "value": "The figure in `unit`; NULL when withheld.",
        "ci95_lower": "Lower bound of the 95% interval.",
        "ci95_upper": "Upper bound of the 95% interval.",
        "ci998_lower": "Lower bound of the 99.8% interval.",
        "ci998_upper": "Upper bound of the 99.8% interval.",
        "suppressed": "True when the figures are withheld; the series has a gap there.",
        "suppression_reason": "Why the row is withheld (see `indicator_values`).",
        "nl_value": "Nederland's value for the same indicator, period and category.",
        "nl_ci95_lower": "Lower bound of Nederland's 95% interval.",
        "nl_ci95_upper": "Upper bound of Nederland's 95% interval.",
        "compared_to_nl": "'better', 'similar' or 'worse' than Nederland (see `indicator_values`).",
        "compared_to_parent": "The same against the direct parent: a gemeente's GGD-regio, a GGD-regio's provincie.",
        "trend": "Recent trend ending in this year (yearly 'total' rows only; see `indicator_values`).",
        "worse_and_worsening": "True when worse than Nederland and the trend getting worse (see `indicator_values`).",
        "release_year": "Release (year) the row comes from.",
        "release_version": "Version of that release.",
    },
)

GEMEENTE_PROFILE = View(
    name="gemeente_profile",
    description=(
        "One row per gemeente and indicator: the latest year of the indicator on the fixed "
        "classification (the 'total' row), with its interval, Nederland's value, the comparison "
        "with Nederland and the recent trend, and beside it the pooled 5-year period ending in "
        "that year when there is one (small gemeenten often have a pooled figure only). A "
        "withheld latest year stays withheld here: no older figure is put in its place."
    ),
    sql=f"""
        WITH v AS (
            SELECT * FROM indicator_values
            WHERE classification_year = {_FIXED} AND breakdown = 'total'
        ),
        latest AS (
            SELECT indicator_code, max(year_to) AS year FROM v WHERE year_from = year_to GROUP BY 1
        ),
        yearly AS (
            SELECT v.* FROM v JOIN latest l ON v.indicator_code = l.indicator_code
                AND v.year_from = l.year AND v.year_to = l.year
        ),
        pooled AS (
            SELECT v.* FROM v JOIN latest l ON v.indicator_code = l.indicator_code
                AND v.year_to = l.year AND v.year_from < v.year_to
        ),
        nl AS (SELECT * FROM yearly WHERE region_level = 'nederland'),
        nl_pooled AS (SELECT * FROM pooled WHERE region_level = 'nederland')
        SELECT g.region_code AS gemeente_code, g.region_name AS gemeente_name,
               r.ggd_code, r.ggd_name, r.provincie_code, r.provincie_name,
               g.indicator_code, i.name_nl AS indicator_name_nl, i.name_en AS indicator_name_en,
               i.phase, g.unit, i.polarity, g.classification_year,
               g.period, g.numerator, g.denominator, g.value, g.ci95_lower, g.ci95_upper,
               g.suppressed, g.suppression_reason,
               nl.value AS nl_value, nl.ci95_lower AS nl_ci95_lower, nl.ci95_upper AS nl_ci95_upper,
               g.compared_to_nl, g.compared_to_parent, g.compared_to_provincie, g.trend, g.worse_and_worsening,
               p.period AS pooled_period, p.value AS pooled_value,
               p.ci95_lower AS pooled_ci95_lower, p.ci95_upper AS pooled_ci95_upper,
               p.suppressed AS pooled_suppressed, p.suppression_reason AS pooled_suppression_reason,
               np.value AS nl_pooled_value, p.compared_to_nl AS pooled_compared_to_nl,
               g.release_year, g.release_version
        FROM yearly g
        LEFT JOIN regions r ON r.classification_year = g.classification_year
            AND r.region_code = g.region_code
        LEFT JOIN indicators i ON i.indicator_code = g.indicator_code
        LEFT JOIN nl ON nl.indicator_code = g.indicator_code
        LEFT JOIN pooled p ON p.indicator_code = g.indicator_code AND p.region_code = g.region_code
        LEFT JOIN nl_pooled np ON np.indicator_code = g.indicator_code
        WHERE g.region_level = 'gemeente'
    """,
    columns={
        "gemeente_code": "CBS gemeente code (GMnnnn) in the fixed classification.",
        "gemeente_name": "Gemeente name.",
        "ggd_code": "GGD-regio of the gemeente.",
        "ggd_name": "Name of the GGD-regio.",
        "provincie_code": "Provincie of the gemeente.",
        "provincie_name": "Name of the provincie.",
        "indicator_code": "Indicator code (see `indicators`).",
        "indicator_name_nl": "Dutch name of the indicator.",
        "indicator_name_en": "English name of the indicator.",
        "phase": "'before_pregnancy', 'during_pregnancy' or 'after_birth'.",
        "unit": "'%' or 'per 1000'.",
        "polarity": "'low_is_good' or 'high_is_good'.",
        "classification_year": "The fixed classification.",
        "period": "The latest year of the indicator.",
        "numerator": "Cases; NULL when withheld.",
        "denominator": "Population at risk; NULL when withheld.",
        "value": "The gemeente's figure in `unit`; NULL when withheld.",
        "ci95_lower": "Lower bound of the 95% interval.",
        "ci95_upper": "Upper bound of the 95% interval.",
        "suppressed": "True when the year's figures are withheld.",
        "suppression_reason": "Why they are withheld (see `indicator_values`).",
        "nl_value": "Nederland's value in the same year.",
        "nl_ci95_lower": "Lower bound of Nederland's 95% interval.",
        "nl_ci95_upper": "Upper bound of Nederland's 95% interval.",
        "compared_to_nl": "'better', 'similar' or 'worse' than Nederland (NULL when withheld).",
        "compared_to_parent": "'better', 'similar' or 'worse' than the gemeente's GGD-regio (see `indicator_values`).",
        "compared_to_provincie": "'better', 'similar' or 'worse' than the gemeente's provincie.",
        "trend": "Recent trend over the latest five years (see `indicator_values`).",
        "worse_and_worsening": "True when worse than Nederland and the trend is getting worse; NULL without a trend.",
        "pooled_period": "The 5-year period ending in the latest year ('2020-2024'), when built.",
        "pooled_value": "The gemeente's pooled figure; NULL when withheld or not built.",
        "pooled_ci95_lower": "Lower bound of the pooled 95% interval.",
        "pooled_ci95_upper": "Upper bound of the pooled 95% interval.",
        "pooled_suppressed": "True when the pooled figures are withheld.",
        "pooled_suppression_reason": "Why they are withheld.",
        "nl_pooled_value": "Nederland's pooled value.",
        "pooled_compared_to_nl": "The pooled figure compared with Nederland's pooled figure.",
        "release_year": "Release (year) the row comes from.",
        "release_version": "Version of that release.",
    },
)

VIEWS = [INDICATOR_SERIES, GEMEENTE_PROFILE]


def create_analyst_views(database: Path | duckdb.DuckDBPyConnection) -> None:
    """Create (or replace) the views in a published file, through a connection of its own so
    that the stored view text names no other database."""
    if isinstance(database, duckdb.DuckDBPyConnection):
        for view in VIEWS:
            database.execute(f"CREATE OR REPLACE VIEW {view.name} AS {view.sql}")
        return
    with contextlib.closing(duckdb.connect(str(database))) as con:
        create_analyst_views(con)
        con.execute("CHECKPOINT")


def published_has_views(published: Path) -> bool:
    """True when the published file holds every view (a file released before they existed does not)."""
    if not published.exists():
        return False
    with contextlib.closing(duckdb.connect(str(published), read_only=True)) as con:
        found = {name for (name,) in con.execute("SELECT view_name FROM duckdb_views() WHERE NOT internal").fetchall()}
    return {view.name for view in VIEWS} <= found
