"""Placing births in a gemeente by the mother's address (RA layout), as one DuckDB query.

A birth is placed at the mother's address on 30 June of the birth year: her address spell in
`raw_ra.gbaadresobjectbus` that covers that day (the latest-starting one if spells overlap), its
address object looked up in `raw_ra.vslgwbtab` (addresses with a BAG object) or
`raw_ra.nietvslgwbtab` (the others), in the gemeente column of the target classification year
(`gem<year>`). Choosing the classification is choosing the column, so mergers and splits need no
shares. One hand rule: Weesp (0457) counts as Amsterdam (0363) from the 2022 classification on,
as it joined Amsterdam in March 2022. A birth whose mother is unknown or has no address that day
has no gemeente (NULL): it counts in Nederland only.

Dates in the address spells are CBS's `YYYYMMDD` text (`88881231` for an open end); a column
that came in as a date works too.
"""

from __future__ import annotations

import duckdb

from orchestration.errors import UserError

REFERENCE_DAY = (6, 30)
# (from classification year, delivered code) -> code: gemeenten that changed after 1 January
HAND_RULES = (
    (2022, "0457", "0363"),  # Weesp joined Amsterdam on 24 March 2022
)
# the births to place: child key, mother key, birth year
DEFAULT_BIRTHS = """
    SELECT b.RINPERSOONS, b.RINPERSOON, b.ra_year AS geboortejaar,
           k.RINPERSOONSMa, k.RINPERSOONMa
    FROM raw_ra.gbalevendgeborenen AS b
    LEFT JOIN raw_ra.kindoudertab AS k
      ON k.RINPERSOONS = b.RINPERSOONS AND k.RINPERSOON = b.RINPERSOON
"""


def _date(column: str) -> str:
    return (f"coalesce(CAST(try_strptime(CAST({column} AS VARCHAR), '%Y%m%d') AS DATE), "
            f"TRY_CAST({column} AS DATE))")


def placement_sql(classification_year: int, births_sql: str = DEFAULT_BIRTHS) -> str:
    """The query: one row per birth of `births_sql` (columns RINPERSOONS, RINPERSOON,
    geboortejaar, RINPERSOONSMa, RINPERSOONMa) with `gemeente_code` ('GMnnnn' or NULL) and
    `plaatsing` ('adres' or 'geen')."""
    year = int(classification_year)
    column = f"gem{year}"
    code = f"lpad(trim(CAST(g.{column} AS VARCHAR)), 4, '0')"
    for since, old, new in HAND_RULES:
        if year >= since:
            code = f"CASE WHEN {code} = '{old}' THEN '{new}' ELSE {code} END"
    return f"""
WITH births AS ({births_sql}),
spells AS (
    SELECT RINPERSOONS, RINPERSOON, SOORTOBJECTNUMMER, RINOBJECTNUMMER,
           {_date('GBADATUMAANVANGADRESHOUDING')} AS begins,
           {_date('GBADATUMEINDEADRESHOUDING')} AS ends
    FROM raw_ra.gbaadresobjectbus
    WHERE RINPERSOON IS NOT NULL
),
addresses AS (
    SELECT SOORTOBJECTNUMMER, RINOBJECTNUMMER, {column} FROM raw_ra.vslgwbtab
    UNION ALL BY NAME
    SELECT SOORTOBJECTNUMMER, RINOBJECTNUMMER, {column} FROM raw_ra.nietvslgwbtab
),
at_reference_day AS (
    SELECT b.RINPERSOONS, b.RINPERSOON, b.geboortejaar, s.SOORTOBJECTNUMMER, s.RINOBJECTNUMMER
    FROM births AS b
    JOIN spells AS s
      ON s.RINPERSOONS = b.RINPERSOONSMa AND s.RINPERSOON = b.RINPERSOONMa
     AND make_date(b.geboortejaar, {REFERENCE_DAY[0]}, {REFERENCE_DAY[1]}) BETWEEN s.begins AND coalesce(s.ends, DATE '9999-12-31')
    QUALIFY row_number() OVER (PARTITION BY b.RINPERSOONS, b.RINPERSOON ORDER BY s.begins DESC,
                                s.SOORTOBJECTNUMMER, s.RINOBJECTNUMMER) = 1
),
placed AS (
    SELECT a.RINPERSOONS, a.RINPERSOON,
           CASE WHEN regexp_full_match(trim(CAST(g.{column} AS VARCHAR)), '[0-9]{{1,4}}')
                 AND TRY_CAST(g.{column} AS INTEGER) > 0
                THEN 'GM' || {code} END AS gemeente_code
    FROM at_reference_day AS a
    JOIN addresses AS g
      ON g.SOORTOBJECTNUMMER = a.SOORTOBJECTNUMMER AND g.RINOBJECTNUMMER = a.RINOBJECTNUMMER
    QUALIFY row_number() OVER (PARTITION BY a.RINPERSOONS, a.RINPERSOON ORDER BY gemeente_code NULLS LAST) = 1
)
SELECT b.RINPERSOONS, b.RINPERSOON, b.geboortejaar, p.gemeente_code,
       CASE WHEN p.gemeente_code IS NOT NULL THEN 'adres' ELSE 'geen' END AS plaatsing
FROM births AS b
LEFT JOIN placed AS p ON p.RINPERSOONS = b.RINPERSOONS AND p.RINPERSOON = b.RINPERSOON
ORDER BY b.geboortejaar, b.RINPERSOON
"""


def classification_years(con: duckdb.DuckDBPyConnection, table: str = "vslgwbtab") -> list[int]:
    """The classification years an address table has a gemeente column for."""
    rows = con.execute(
        "SELECT column_name FROM information_schema.columns WHERE table_schema = 'raw_ra' "
        "AND table_name = ? AND regexp_full_match(lower(column_name), 'gem[0-9]{4}')", [table]).fetchall()
    return sorted(int(name[3:]) for (name,) in rows)


def place_births(con: duckdb.DuckDBPyConnection, classification_year: int,
                 births_sql: str = DEFAULT_BIRTHS) -> list[tuple]:
    """The placed births as rows (RINPERSOONS, RINPERSOON, geboortejaar, gemeente_code, plaatsing)."""
    for table in ("vslgwbtab", "nietvslgwbtab"):
        years = classification_years(con, table)
        if int(classification_year) not in years:
            shown = f"{years[0]}-{years[-1]}" if years else "none"
            raise UserError(f"raw_ra.{table} has no gemeente column for classification {int(classification_year)} "
                            f"(gem{int(classification_year)}); it has {shown}")
    return con.execute(placement_sql(classification_year, births_sql)).fetchall()


def placement_counts(rows: list[tuple]) -> dict[str, int]:
    """How many births were placed by address and how many not at all (for the run summary)."""
    counts = {"adres": 0, "geen": 0}
    for row in rows:
        counts[row[4]] = counts.get(row[4], 0) + 1
    return counts
