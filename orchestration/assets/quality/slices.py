"""The DataFrames the suites validate, and the year-dependent suite parameters.

Everything here reads the warehouse through a DuckDB connection and returns pandas objects;
nothing imports Great Expectations. The pure parts (`row_count_band`, `add_mart_columns`)
are what the unit tests exercise without a warehouse.
"""

from __future__ import annotations

import math

import duckdb
import pandas as pd

from orchestration import indicator_registry
from orchestration.published import REFERENCE_TABLES
from orchestration.sources import YEARLY_SOURCES


PUBLISHED_LEVELS = ("gemeente", "ggd_regio", "provincie", "nederland")


def source_frame(con: duckdb.DuckDBPyConnection, source: str, year: int) -> pd.DataFrame:
    """The year's slice of raw.<source>, in load order."""
    if source not in YEARLY_SOURCES:
        raise ValueError(f"unknown source {source!r}")
    return con.execute(f"SELECT * FROM raw.{source} WHERE year = ? ORDER BY source_row", [year]).fetch_df()


def row_count_band(previous_rows: int | None, band: float) -> tuple[int | None, int | None]:
    """Bounds for this year's row count: the previous year's count +/- `band` (a fraction)."""
    if previous_rows is None or previous_rows <= 0:
        return None, None
    return math.floor(previous_rows * (1 - band)), math.ceil(previous_rows * (1 + band))


def source_parameters(con: duckdb.DuckDBPyConnection, source: str, year: int, band: float) -> dict:
    """Suite parameters of a source suite; None where there is nothing to compare with."""
    previous = con.execute(
        "SELECT rows_accepted FROM raw.ingest_log WHERE source = ? AND year = ?", [source, year - 1]
    ).fetchone()
    min_rows, max_rows = row_count_band(int(previous[0]) if previous and previous[0] is not None else None, band)
    codes = [c for (c,) in con.execute(
        "SELECT DISTINCT gemeente_code FROM raw.regions WHERE classification_year = ? ORDER BY 1", [year]
    ).fetchall()]
    return {
        "year_values": [year],
        "min_rows": min_rows,
        "max_rows": max_rows,
        "previous_year_rows": int(previous[0]) if previous and previous[0] is not None else None,
        "gemeente_codes": codes or None,
        "gemeenten_in_classification": len(codes) or None,
        "perioden": [f"{year}JJ00"],
    }


def add_mart_columns(values: pd.DataFrame, previous_national: pd.DataFrame, year: int) -> pd.DataFrame:
    """The year's indicator_values rows plus the columns the mart suite checks:

    - `indicators_with_total_in_region`: how many indicators have a 'total' row for the row's
      period, classification year and region, and `indicators_in_period`: how many indicators
      the period has at all; the suite expects them equal (every region has every indicator);
    - `nl_previous_value`, `nl_yoy_relative_change`: for Nederland's 'total' rows of the single
      year, the previous year's national value (same indicator and classification) and the
      relative change (value / previous - 1); empty elsewhere or without a previous value.
    """
    frame = values.copy()
    totals = frame[frame["breakdown"] == "total"]
    cell = ["period", "classification_year", "region_code"]
    per_region = (totals.groupby(cell)["indicator_code"].nunique()
                  .rename("indicators_with_total_in_region").reset_index())
    per_period = frame.groupby("period")["indicator_code"].nunique().rename("indicators_in_period").reset_index()
    frame = frame.merge(per_region, on=cell, how="left").merge(per_period, on="period", how="left")
    frame["indicators_with_total_in_region"] = frame["indicators_with_total_in_region"].fillna(0).astype("int64")
    frame["indicators_in_period"] = frame["indicators_in_period"].astype("int64")

    national = ((frame["region_level"] == "nederland") & (frame["breakdown"] == "total")
                & (frame["period"] == str(year)))
    previous = (previous_national[["indicator_code", "classification_year", "value"]]
                .rename(columns={"value": "_previous"})
                .drop_duplicates(["indicator_code", "classification_year"]))
    frame = frame.merge(previous, on=["indicator_code", "classification_year"], how="left")
    frame["nl_previous_value"] = frame["_previous"].where(national).astype("float64")
    frame = frame.drop(columns="_previous")
    usable = national & frame["value"].notna() & frame["nl_previous_value"].notna() & (frame["nl_previous_value"] != 0)
    frame["nl_yoy_relative_change"] = (frame["value"] / frame["nl_previous_value"] - 1).where(usable).astype("float64")
    return frame


def mart_frame(con: duckdb.DuckDBPyConnection, year: int) -> pd.DataFrame:
    values = con.execute(
        "SELECT * FROM marts.indicator_values WHERE year_to = ? "
        "ORDER BY indicator_code, period, region_code, classification_year, breakdown, breakdown_category", [year]
    ).fetch_df()
    previous = con.execute(
        "SELECT indicator_code, classification_year, value FROM marts.indicator_values "
        "WHERE year_to = ? AND period = ? AND region_level = 'nederland' AND breakdown = 'total'",
        [year - 1, str(year - 1)],
    ).fetch_df()
    return add_mart_columns(values, previous, year)


def mart_parameters(con: duckdb.DuckDBPyConnection, frame: pd.DataFrame) -> dict:
    classification_years = sorted(int(y) for y in frame["classification_year"].dropna().unique())
    regions = []
    if classification_years:
        placeholders = ", ".join("?" for _ in classification_years)
        levels = ", ".join(f"'{level}'" for level in PUBLISHED_LEVELS)
        regions = [c for (c,) in con.execute(
            f"SELECT DISTINCT region_code FROM marts.regions WHERE classification_year IN ({placeholders}) "
            f"AND region_level IN ({levels}) ORDER BY 1", classification_years
        ).fetchall()]
    catalogue = [c for (c,) in con.execute("SELECT indicator_code FROM marts.indicators ORDER BY 1").fetchall()]
    return {
        "expected_region_codes": regions or None,
        "catalogue_indicators": catalogue or None,
    }


# Reference marts: rebuilt whole with every year, checked whole by expectations/<mart>.json.
REFERENCE_MARTS = REFERENCE_TABLES

_REFERENCE_SQL = {
    "indicators": "SELECT * FROM marts.indicators ORDER BY indicator_code",
    # whether each gemeente's GGD-regio and provincie are regions of the same classification year
    "regions": """
        SELECT r.*,
               EXISTS (SELECT 1 FROM marts.regions p WHERE p.classification_year = r.classification_year
                       AND p.region_level = 'ggd_regio' AND p.region_code = r.ggd_code) AS parent_ggd_known,
               EXISTS (SELECT 1 FROM marts.regions p WHERE p.classification_year = r.classification_year
                       AND p.region_level = 'provincie' AND p.region_code = r.provincie_code) AS parent_provincie_known
        FROM marts.regions r
        ORDER BY classification_year, region_level, region_code""",
    # the parts of a split add up to the whole gemeente
    "region_mergers": """
        SELECT *, sum(allocation_share) OVER (PARTITION BY old_code, merger_date) AS share_total_of_old_code
        FROM marts.region_mergers
        ORDER BY merger_date, old_code, new_code""",
}


def reference_frame(con: duckdb.DuckDBPyConnection, mart: str) -> pd.DataFrame:
    if mart not in _REFERENCE_SQL:
        raise ValueError(f"unknown reference mart {mart!r}")
    return con.execute(_REFERENCE_SQL[mart]).fetch_df()


def reference_parameters(con: duckdb.DuckDBPyConnection, mart: str) -> dict:
    """What the reference marts are compared with: the indicator registry and the regions source."""
    if mart == "indicators":
        return {"catalogue_size": len(indicator_registry.indicators())}
    if mart == "regions":
        loaded = [y for (y,) in con.execute(
            "SELECT DISTINCT classification_year FROM raw.regions ORDER BY 1").fetchall()]
        return {"classification_years": loaded, "classification_year_count": len(loaded)}
    return {}
