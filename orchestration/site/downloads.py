"""The site's downloads: per indicator and per area the release year's rows (totals and
breakdowns, the year and the pooled period ending in it) as a Dutch CSV and an Excel file."""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator
from pathlib import Path

from orchestration.published import open_published
from orchestration.export import write_dutch_csv, write_xlsx
from orchestration.site.data import SiteData, select_list

COLUMNS = ("indicator_code", "region_code", "region_name", "region_level", "period", "year_from", "year_to",
           "breakdown", "breakdown_category", "numerator", "denominator", "value", "unit", "ci95_lower",
           "ci95_upper", "suppressed", "suppression_reason", "compared_to_nl", "compared_to_parent",
           "compared_to_provincie", "trend", "worse_and_worsening", "release_year", "release_version")
FOLDER = "downloads"


def download_name(key: str, year: int, fmt: str) -> str:
    """downloads/<indicator or area code>_<year>.<csv|xlsx>, relative to the site's root."""
    return f"{FOLDER}/{key}_{year}.{fmt}"


def write_downloads(published: Path, data: SiteData, root: Path, keys: list[tuple[str, str]],
                    progress: Callable[[str], None]) -> Iterator[Path]:
    """keys: ('indicator' or 'region', code). Yields each file written."""
    (root / FOLDER).mkdir(parents=True, exist_ok=True)
    with contextlib.closing(open_published(published)) as con:
        columns = select_list(con, COLUMNS)
        for kind, code in keys:
            rows = con.execute(
                f"SELECT {columns} FROM indicator_values WHERE {kind}_code = ? AND classification_year = ? "
                "AND year_to = ? ORDER BY indicator_code, region_level, region_code, year_from DESC, breakdown, "
                "breakdown_category", [code, data.classification_year, data.year]).fetchall()
            csv_file = root / download_name(code, data.year, "csv")
            write_dutch_csv(csv_file, list(COLUMNS), rows)
            yield csv_file
            xlsx_file = root / download_name(code, data.year, "xlsx")
            write_xlsx(xlsx_file, f"{code} {data.year}", list(COLUMNS), rows)
            yield xlsx_file
