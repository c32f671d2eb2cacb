"""The indicator registry is the one place an indicator is defined: a fictitious indicator added
to the registry alone (no model, macro or seed touched) is counted, checked by dbt's own tests,
released and published like the others."""

from __future__ import annotations

import json

import duckdb
import pytest

from orchestration import indicator_registry
from tiny_inbox import YEAR

pytestmark = pytest.mark.e2e

TERM_BIRTH = {
    "code": "term_birth",
    "name_nl": "Voldragen geboorte",
    "name_en": "Term birth",
    "phase": "during_pregnancy",
    "definition": "Share of births at 37 completed weeks of gestation or later.",
    "numerator_definition": "Births with gestational age of 37 completed weeks or more.",
    "denominator_definition": "All births of the year.",
    "unit": "%",
    "multiplier": 100,
    "polarity": "high_is_good",
    "source": "Perined",
    "record_set": "births",
    "numerator": "not is_preterm",
    "denominator": "true",
    "sources": ["perined"],
    "pooled": True,
    "breakdowns": ["plurality"],
    "interval_method": "wilson",
    "disclosure_rule": "min_10_both_outcomes",
}


def test_a_new_indicator_through_the_registry_alone_is_published(copy_home):
    from orchestration.assets.release.publish import publish_year
    from orchestration.dbt_invocation import extra_env
    from test_dbt_macros import run_dbt

    registry = [{k: v for k, v in entry.items() if k != "indicator_code"} for entry in indicator_registry.indicators()]
    assert "term_birth" not in {e["code"] for e in registry}
    new_vars = {"ksm_indicators": [*registry, TERM_BIRTH]}
    with extra_env({"KSM_BUILD_YEAR": str(YEAR)}):
        result = run_dbt(copy_home.home, "build", "--exclude-resource-type", "unit_test",
                         "--vars", json.dumps(new_vars), warehouse=copy_home.warehouse)
    assert result.returncode == 0, result.stdout[-4000:]  # every dbt test passes with it too

    with duckdb.connect(str(copy_home.warehouse)) as con:
        births, term = con.execute(f"SELECT count(*), count(*) FILTER (WHERE amww >= 37) FROM raw.perined "
                                   f"WHERE year = {YEAR}").fetchone()
        publish_year(con, copy_home, YEAR, "registry-test", {"passed": 0, "failed": 0, "warnings": 0,
                                                             "failed_checks": []})
    assert (births, term) == (96, 60)  # the tiny delivery's rows: 60 at 37 weeks or later

    with duckdb.connect(str(copy_home.published), read_only=True) as pub:
        levels = dict(pub.execute(
            "SELECT region_level, count(*) FROM indicator_values WHERE indicator_code = 'term_birth' "
            "AND year_to = ? AND breakdown = 'total' GROUP BY ALL", [YEAR]).fetchall())
        nederland = pub.execute(
            "SELECT numerator, denominator, value, ci_method, suppressed FROM indicator_values "
            "WHERE indicator_code = 'term_birth' AND region_level = 'nederland' AND breakdown = 'total' "
            "AND period = ?", [str(YEAR)]).fetchone()
        plurality = {r[0] for r in pub.execute(
            "SELECT breakdown_category FROM indicator_values WHERE indicator_code = 'term_birth' "
            "AND region_level = 'nederland' AND breakdown = 'plurality'").fetchall()}
        catalogue = pub.execute("SELECT name_nl, unit, polarity FROM indicators "
                                "WHERE indicator_code = 'term_birth'").fetchone()
        released_preterm = pub.execute(
            "SELECT numerator, denominator FROM indicator_values WHERE indicator_code = 'preterm' "
            "AND region_level = 'nederland' AND breakdown = 'total' AND period = ?", [str(YEAR)]).fetchone()
    assert set(levels) == {"gemeente", "ggd_regio", "provincie", "nederland"}
    # the births of the year as preterm counts them (one of the 96 rows is not a birth of the
    # indicators' denominator), minus the 35 preterm ones
    assert released_preterm == (35, 95), "the other indicators are counted as before"
    assert nederland == (60, 95, pytest.approx(60 / 95 * 100), "wilson", False)
    assert plurality and "total" not in plurality
    assert catalogue == ("Voldragen geboorte", "%", "high_is_good")
