"""Editions of the definitions: the same small delivery built under the brief's definitions and
under RIVM's 2023 and 2025 editions gives the figures each edition defines, and every row says
which edition it was computed with."""

from __future__ import annotations

import duckdb
import pytest

from orchestration.indicator_registry import definition_edition, editions
from tiny_inbox import YEAR

BIRTHS = "(coalesce(sterfte, 0) NOT IN (1, 2) OR amww >= 24)"
PREGNANCY_RECORD = ("row_number() OVER (PARTITION BY coalesce(moeder_id, kind_id) "
                    "ORDER BY rangnummer NULLS LAST, kind_id) = 1")


def test_the_edition_comes_from_the_environment():
    assert [e["code"] for e in editions()] == ["brief", "rivm2023", "rivm2024", "rivm2025"]
    assert definition_edition({}) == "brief"
    assert definition_edition({"KSM_EDITION": " rivm2023 "}) == "rivm2023"
    with pytest.raises(ValueError, match=r"KSM_EDITION='rivm1999' is not an edition .*known: brief, rivm2023, rivm2024, rivm2025"):
        definition_edition({"KSM_EDITION": "rivm1999"})


def expected(con) -> dict[str, dict[str, tuple[int, int]]]:
    """Numerator and denominator per edition, counted here from raw.perined by each edition's words."""
    con.execute(f"""CREATE OR REPLACE TEMP TABLE births AS
        SELECT *, {PREGNANCY_RECORD} AS pregnancy FROM raw.perined WHERE year = {YEAR} AND {BIRTHS}""")

    def count(numerator: str, denominator: str) -> tuple[int, int]:
        return con.execute(f"SELECT count(*) FILTER (WHERE ({denominator}) AND ({numerator})), "
                           f"count(*) FILTER (WHERE {denominator}) FROM births").fetchone()

    sga, late = "hoftiezer < 10", "amddd1ond > 70"
    linked = f"kind_id IN (SELECT kind_id FROM raw.cbs_linked WHERE year = {YEAR})"
    debts = (f"kind_id IN (SELECT kind_id FROM raw.cbs_linked WHERE year = {YEAR} "
             "AND CAST(problematische_schulden AS VARCHAR) IN ('1', 'true'))")
    return {
        "brief": {"sga": count(sga, "hoftiezer IS NOT NULL"),
                  "late_antenatal_care": count(late, "pregnancy AND amddd1ond IS NOT NULL"),
                  "parental_debts": count(debts, linked)},
        "rivm2023": {"sga": count(sga, "true"), "late_antenatal_care": count(late, "pregnancy"),
                     "parental_debts": count(debts, linked)},  # mother only: applied in the RA layout
        "rivm2024": {"sga": count(sga, "hoftiezer IS NOT NULL"),
                     "late_antenatal_care": count(late, "pregnancy AND amddd1ond IS NOT NULL"),
                     "parental_debts": count(debts, f"pregnancy AND {linked}")},  # each mother once
        "rivm2025": {"sga": count(sga, "hoftiezer IS NOT NULL"),
                     "late_antenatal_care": count(late, "amddd1ond IS NOT NULL"),
                     "parental_debts": count(debts, linked)},
    }


@pytest.mark.e2e
def test_each_edition_counts_as_it_defines(copy_home):
    from orchestration.dbt_invocation import extra_env
    from test_dbt_macros import run_dbt

    with duckdb.connect(str(copy_home.warehouse)) as con:
        # make the editions differ on this small delivery: unknown percentiles, late and unknown
        # first visits (enough of each that Nederland's cells are not withheld)
        con.execute(f"""UPDATE raw.perined SET
            hoftiezer = CASE WHEN hoftiezer >= 10 AND source_row % 9 = 0 THEN NULL ELSE hoftiezer END,
            amddd1ond = CASE WHEN source_row % 5 = 0 THEN 85 WHEN source_row % 7 = 1 THEN NULL ELSE amddd1ond END
            WHERE year = {YEAR}""")
        con.execute(f"""UPDATE raw.perined SET rangnummer = 2, omv = 2, amddd1ond = coalesce(amddd1ond, 60),
            moeder_id = (SELECT moeder_id FROM raw.perined WHERE year = {YEAR} AND source_row = 2)
            WHERE year = {YEAR} AND source_row = 3""")  # twins: one pregnancy, two children
        con.execute(f"UPDATE raw.cbs_linked SET problematische_schulden = CASE WHEN source_row % 4 = 0 THEN '1' "
                    f"ELSE '0' END WHERE year = {YEAR}")
        wanted = expected(con)
    got, marked = {}, {}
    for edition in ("rivm2023", "rivm2024", "rivm2025", "brief"):
        with extra_env({"KSM_BUILD_YEAR": str(YEAR), "KSM_EDITION": edition}):
            result = run_dbt(copy_home.home, "build", "--exclude-resource-type", "unit_test",
                             "--select", "+indicator_values", "+indicators", warehouse=copy_home.warehouse)
        assert result.returncode == 0, result.stdout[-3000:]
        with duckdb.connect(str(copy_home.warehouse), read_only=True) as con:
            got[edition] = dict((code, (n, d)) for code, n, d in con.execute(
                "SELECT indicator_code, numerator, denominator FROM marts.indicator_values "
                "WHERE indicator_code IN ('sga', 'late_antenatal_care', 'parental_debts') AND region_level = 'nederland' "
                f"AND breakdown = 'total' AND period = '{YEAR}' AND classification_year = "
                f"(SELECT max(classification_year) FROM marts.indicator_values)").fetchall())
            marked[edition] = con.execute(
                "SELECT (SELECT list(DISTINCT definition_edition) FROM marts.indicator_values "
                f"WHERE year_to = {YEAR}), (SELECT list(DISTINCT definition_edition) FROM marts.indicators), "
                "(SELECT denominator_definition FROM marts.indicators WHERE indicator_code = 'sga')").fetchone()
    assert got == wanted
    # the editions do differ on this delivery: an unknown percentile and an unknown first visit occur
    assert wanted["rivm2023"]["sga"][1] > wanted["brief"]["sga"][1]
    assert len({wanted[e]["late_antenatal_care"][1] for e in wanted}) == 3
    assert wanted["rivm2024"]["parental_debts"][1] < wanted["brief"]["parental_debts"][1]
    assert marked["rivm2023"][:2] == (["rivm2023"], ["rivm2023"])
    assert "RIVM 2023" in marked["rivm2023"][2] and "RIVM" not in marked["brief"][2]
    assert marked["brief"][:2] == (["brief"], ["brief"])


@pytest.mark.e2e
def test_an_unknown_edition_stops_dbt_with_one_line(copy_home):
    from orchestration.dbt_invocation import extra_env
    from test_dbt_macros import run_dbt

    with extra_env({"KSM_BUILD_YEAR": str(YEAR), "KSM_EDITION": "rivm1999"}):
        result = run_dbt(copy_home.home, "build", "--select", "indicator_catalogue", warehouse=copy_home.warehouse)
    assert result.returncode != 0
    assert "KSM_EDITION 'rivm1999' is not an edition of the definitions; known: brief, rivm2023, rivm2024, rivm2025" in result.stdout
