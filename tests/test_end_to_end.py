"""A tiny year through Dagster, dbt and the release, compared with values worked out by hand."""

from __future__ import annotations

import csv
import json
import math

import duckdb
import pytest

from tiny_inbox import EXPECTED, YEAR

pytestmark = pytest.mark.e2e
Z95 = 1.959964


def wilson(numerator: int, denominator: int, z: float) -> tuple[float, float]:
    """Wilson score interval written out independently of the dbt macro."""
    p = numerator / denominator
    centre = p + z * z / (2 * denominator)
    spread = z * math.sqrt(p * (1 - p) / denominator + z * z / (4 * denominator * denominator))
    scale = 1 + z * z / denominator
    return (centre - spread) / scale, (centre + spread) / scale


def published_rows(paths, sql, params=()):
    with duckdb.connect(str(paths.published), read_only=True) as con:
        return con.execute(sql, list(params)).fetchall()


def test_runs_succeed_and_are_recorded_on_the_instance(released):
    paths, results, instance = released
    assert all(r.success for r in results)
    for result in results:
        assert instance.get_run_by_id(result.run_id) is not None
    assert (paths.dagster_home / "dagster.yaml").exists()


def test_the_second_run_of_unchanged_files_reads_none_of_them_again(released):
    """Same files, definitions, classification and code: the second run keeps every slice."""
    from dagster import DagsterEventType

    from orchestration.sources import YEARLY_SOURCES

    _, results, instance = released
    loaded_now = []
    for result in results:
        records = instance.get_records_for_run(result.run_id, of_type=DagsterEventType.ASSET_MATERIALIZATION).records
        loaded_now.append({r.event_log_entry.asset_materialization.asset_key.path[-1]:
                           r.event_log_entry.asset_materialization.metadata["loaded_now"].value
                           for r in records if r.event_log_entry.asset_materialization.asset_key.path[-1]
                           in YEARLY_SOURCES})
    assert loaded_now == [dict.fromkeys(YEARLY_SOURCES, True), dict.fromkeys(YEARLY_SOURCES, False)]


@pytest.mark.parametrize("key", sorted(EXPECTED))
def test_values_match_hand_computation(released, key):
    paths, _, _ = released
    indicator, region = key
    numerator, denominator = EXPECTED[key]
    rows = published_rows(
        paths,
        "SELECT numerator, denominator, value, ci95_lower, ci95_upper, suppressed, suppression_reason, "
        "classification_year, period FROM indicator_values WHERE indicator_code = ? AND region_code = ? "
        "AND breakdown = 'total' AND classification_year = 2024", (indicator, region))
    assert len(rows) == 1
    num, den, value, lower, upper, suppressed, reason, classification_year, period = rows[0]
    assert (classification_year, period) == (2024, str(YEAR))
    if numerator < 10 or denominator < 10 or denominator - numerator < 10:
        assert suppressed and reason and num is None and den is None and value is None and lower is None
        return
    assert not suppressed
    assert (num, den) == (numerator, denominator)
    assert value == pytest.approx(100 * numerator / denominator)
    lo, hi = wilson(numerator, denominator, Z95)
    assert lower == pytest.approx(100 * lo, abs=1e-6) and upper == pytest.approx(100 * hi, abs=1e-6)
    if region != "NL01":
        # similar when the national value lies inside the region's interval; low is good
        national = published_rows(paths, "SELECT value FROM indicator_values WHERE indicator_code = ? AND "
                                         "region_code = 'NL01' AND breakdown = 'total' AND classification_year = 2024", (indicator,))[0][0]
        expected = "similar" if lower <= national <= upper else ("better" if value < national else "worse")
        compared = published_rows(paths, "SELECT compared_to_nl FROM indicator_values WHERE indicator_code = ? "
                                         "AND region_code = ? AND breakdown = 'total' AND classification_year = 2024", (indicator, region))
        assert compared == [(expected,)]


def test_every_region_level_is_present_and_rollups_add_up(released):
    paths, _, _ = released
    levels = dict(published_rows(
        paths, "SELECT region_level, count(*) FROM indicator_values WHERE indicator_code = 'preterm' "
               "AND breakdown = 'total' AND classification_year = 2024 GROUP BY 1"))
    assert set(levels) == {"gemeente", "ggd_regio", "provincie", "nederland"}
    assert levels["nederland"] == 1 and levels["provincie"] == 12 and levels["ggd_regio"] == 25


def test_nothing_below_ten_is_published(released):
    paths, _, _ = released
    assert published_rows(paths, "SELECT count(*) FROM indicator_values AS v JOIN indicators AS i "
                                 "USING (indicator_code) WHERE i.disclosure_rule = 'min_10_both_outcomes' "
                                 "AND NOT v.suppressed AND (v.numerator < 10 OR v.denominator < 10)") == [(0,)]


def questionnaire_answers(paths) -> list[dict]:
    """The tiny delivery's questionnaire as written (one row per gemeente of 2020)."""
    path = paths.inbox / "questionnaire" / str(YEAR) / f"questionnaire_{YEAR}.csv"
    with path.open(encoding="cp1252", newline="") as handle:
        return list(csv.DictReader(handle, delimiter=";"))


def test_questionnaire_answers_are_published_per_gemeente_without_interval(released):
    """A census of gemeenten: nothing withheld, no interval, each gemeente its own answer."""
    paths, _, _ = released
    answers = {row["gemeente_code"]: row for row in questionnaire_answers(paths)}
    # Amsterdam on the 2024 classification holds Amsterdam and Weesp (merged in 2022)
    yes = sum(answers[code]["coalitie"] == "ja" for code in ("GM0363", "GM0457"))
    rows = published_rows(paths, "SELECT numerator, denominator, suppressed, suppression_reason, ci95_lower, "
                                 "ci95_upper, ci998_lower, ci998_upper, ci_method FROM indicator_values "
                                 "WHERE indicator_code = 'coalition' AND region_code = 'GM0363' "
                                 "AND breakdown = 'total' AND classification_year = 2024")
    assert rows == [(yes, 2, False, None, None, None, None, None, None)]
    census = "SELECT count(*) FROM indicator_values JOIN indicators USING (indicator_code) " \
             "WHERE disclosure_rule = 'none_census' AND "
    assert published_rows(paths, census + "(suppressed AND suppression_reason <> 'denominator_zero' "
                                          "OR ci_method IS NOT NULL OR ci95_lower IS NOT NULL "
                                          "OR ci998_upper IS NOT NULL)") == [(0,)]
    # every answer of the delivery is counted once in Nederland
    assert published_rows(paths, "SELECT numerator, denominator FROM indicator_values WHERE indicator_code = "
                                 "'coalition' AND region_code = 'NL01' AND classification_year = 2024") == [
        (sum(a["coalitie"] == "ja" for a in answers.values()), len(answers))]
    # a question nobody answered was not asked: no rows
    assert published_rows(paths, "SELECT count(*) FROM indicator_values WHERE indicator_code = 'nu_niet_zwanger'") == [(0,)]


def test_a_region_counts_its_gemeenten_answering_yes(released):
    paths, _, _ = released
    gemeenten = published_rows(
        paths, "SELECT r.ggd_code, v.region_code, v.numerator, v.denominator FROM indicator_values AS v "
               "JOIN regions AS r ON r.classification_year = v.classification_year AND r.region_code = v.region_code "
               "WHERE v.indicator_code = 'coalition' AND v.region_level = 'gemeente' AND v.classification_year = 2024")
    ggd = {code: (num, den, value) for code, num, den, value in published_rows(
        paths, "SELECT region_code, numerator, denominator, value FROM indicator_values WHERE indicator_code = "
               "'coalition' AND region_level = 'ggd_regio' AND classification_year = 2024 AND NOT suppressed")}
    assert len(ggd) == 25
    for code, (num, den, value) in ggd.items():
        members = [(n, d) for g, _, n, d in gemeenten if g == code]
        assert num == sum(n for n, _ in members) and den == sum(d for _, d in members)
        assert value == pytest.approx(100 * num / den)
    # Amsterdam's GGD-regio: the yes answers of the 2020 gemeenten that now lie in it
    answers = questionnaire_answers(paths)
    amsterdam_ggd = [g for g, code, _, _ in gemeenten if code == "GM0363"][0]
    members = {code for g, code, _, _ in gemeenten if g == amsterdam_ggd} | {"GM0457"}
    assert ggd[amsterdam_ggd][0] == sum(a["coalitie"] == "ja" for a in answers if a["gemeente_code"] in members)


def test_a_gemeente_that_did_not_answer_is_marked_and_published(released):
    paths, _, _ = released
    unanswered = {a["gemeente_code"] for a in questionnaire_answers(paths) if a["actieplan"] == ""}
    assert "GM0788" in unanswered  # Haaren, split in 2021: its record went to Vught or Oisterwijk
    marked = published_rows(paths, "SELECT region_code, numerator, denominator, value, suppressed FROM indicator_values "
                                   "WHERE indicator_code = 'action_plan' AND suppression_reason = 'not_answered' "
                                   "AND classification_year = 2024")
    assert marked and {code for code, *_ in marked} & {"GM0865", "GM0824"}
    for code, num, den, value, suppressed in marked:
        assert not suppressed and num == 0 and den >= 1 and value == 0  # denominator: every gemeente asked
    assert len(marked) <= len(unanswered)
    # Amsterdam and Weesp both answered 'nee': a plain published 0 of 2, no marker
    assert published_rows(paths, "SELECT numerator, denominator, suppression_reason FROM indicator_values "
                                 "WHERE indicator_code = 'action_plan' AND region_code = 'GM0363' "
                                 "AND classification_year = 2024") == [(0, 2, None)]


def test_release_is_versioned_and_unchanged_input_makes_no_new_version(released):
    paths, _, _ = released
    versions = sorted(p.name for p in (paths.releases / str(YEAR)).iterdir())
    assert versions == ["v1"]
    manifest = json.loads((paths.releases / str(YEAR) / "v1" / "manifest.json").read_text())
    assert manifest["year"] == YEAR and manifest["version"] == 1
    assert any(key.startswith("perined/") for key in manifest["inputs"])
    assert manifest["checks"]["failed"] == 0 and manifest["checks"]["passed"] > 0
    assert published_rows(paths, "SELECT year, version FROM releases") == [(YEAR, 1)]
    assert published_rows(paths, "SELECT DISTINCT release_year, release_version FROM indicator_values") == [(YEAR, 1)]


def test_published_file_holds_aggregates_only(released):
    paths, _, _ = released
    tables = {t for (t,) in published_rows(paths, "SELECT table_name FROM information_schema.tables "
                                                  "WHERE table_type = 'BASE TABLE'")}
    assert tables == {"indicator_values", "indicators", "regions", "region_mergers", "releases"}
    views = {t for (t,) in published_rows(paths, "SELECT table_name FROM information_schema.tables "
                                                 "WHERE table_type = 'VIEW'")}
    assert views == {"gemeente_profile", "indicator_series"}  # over the tables above only
    columns = {c for (c,) in published_rows(paths, "SELECT column_name FROM information_schema.columns")}
    assert not columns & {"kind_id", "moeder_id", "amww", "hoftiezer", "sterfte"}


def comparison(value, lower, upper, benchmark, polarity):
    """The Fingertips comparison, written out independently of the dbt macro."""
    if value is None or benchmark is None:
        return None
    if (lower is not None and lower <= benchmark <= upper) or value == benchmark:
        return "similar"
    if polarity == "low_is_good":
        return "better" if value < benchmark else "worse"
    if polarity == "high_is_good":
        return "better" if value > benchmark else "worse"
    return "higher" if value > benchmark else "lower"


def test_regions_are_compared_with_their_parents(released):
    """compared_to_parent: a gemeente against its GGD-regio, a GGD-regio against its provincie
    (by the regions mart); compared_to_provincie: a gemeente against its provincie."""
    paths, _, _ = released
    rows = published_rows(paths, """
        SELECT g.indicator_code, g.region_code, g.region_level, g.value, g.ci95_lower, g.ci95_upper, i.polarity,
               p.value, v.value, g.compared_to_parent, g.compared_to_provincie, r.provincie_code
        FROM indicator_values AS g
        JOIN regions AS r ON r.classification_year = g.classification_year AND r.region_code = g.region_code
        JOIN indicators AS i ON i.indicator_code = g.indicator_code
        LEFT JOIN indicator_values AS p
            ON p.region_code = CASE g.region_level WHEN 'gemeente' THEN r.ggd_code
                                                   WHEN 'ggd_regio' THEN r.provincie_code END
            AND p.indicator_code = g.indicator_code
            AND p.period = g.period AND p.classification_year = g.classification_year
            AND p.breakdown = g.breakdown AND p.breakdown_category = g.breakdown_category
        LEFT JOIN indicator_values AS v ON v.region_code = r.provincie_code AND g.region_level = 'gemeente'
            AND v.indicator_code = g.indicator_code
            AND v.period = g.period AND v.classification_year = g.classification_year
            AND v.breakdown = g.breakdown AND v.breakdown_category = g.breakdown_category
        WHERE g.region_level IN ('gemeente', 'ggd_regio')""")
    labels, ggd_labels = {}, {}
    for indicator, region, level, value, lower, upper, polarity, parent, provincie, compared, \
            to_provincie, provincie_code in rows:
        assert compared == comparison(value, lower, upper, parent, polarity), (indicator, region)
        assert to_provincie == comparison(value, lower, upper, provincie, polarity), (indicator, region)
        if level == "gemeente":
            labels[indicator, region] = compared
        else:
            ggd_labels[indicator, region] = compared
            assert provincie_code is not None or compared is None
    # Amsterdam's preterm births are its GGD-regio's only ones: the same value, similar
    assert labels["preterm", "GM0363"] == "similar"
    assert labels["preterm", "GM0865"] is None  # withheld
    # census indicators have no interval: the answer is compared with the region's share directly
    assert {labels[k] for k in labels if k[0] == "coalition"} >= {"better", "worse"}
    assert any(v is not None for v in ggd_labels.values())  # GGD-regio's are compared with provincies
    assert published_rows(paths, "SELECT count(*) FROM indicator_values WHERE region_level IN "
                                 "('provincie', 'nederland') AND compared_to_parent IS NOT NULL") == [(0,)]
    assert published_rows(paths, "SELECT count(*) FROM indicator_values WHERE region_level <> 'gemeente' "
                                 "AND compared_to_provincie IS NOT NULL") == [(0,)]
    # one year: no trend anywhere, so nothing is worse and worsening (NULL, not false)
    assert published_rows(paths, "SELECT count(*) FROM indicator_values WHERE worse_and_worsening IS NOT NULL "
                                 "OR trend NOT IN ('cannot_be_calculated')") == [(0,)]


def test_changes_count_cells_newly_withheld_and_published(released, tmp_path):
    """What changed in the figures, against a previous version in which one published cell of
    preterm was withheld and one withheld cell was published."""
    from orchestration.assets.release.publish import _diff_against_previous, sql_path

    paths, _, _ = released
    current = paths.releases / str(YEAR) / "v1" / "indicator_values.parquet"
    previous = tmp_path / "v0"
    previous.mkdir()
    flip = ("(indicator_code = 'preterm' AND breakdown = 'total' AND classification_year = 2024 "
            "AND region_code IN ('NL01', 'GM0865'))")
    with duckdb.connect() as con:
        con.execute(f"COPY (SELECT * REPLACE (CASE WHEN {flip} THEN NOT suppressed ELSE suppressed END AS suppressed) "
                    f"FROM read_parquet({sql_path(current)})) TO {sql_path(previous / 'indicator_values.parquet')}")
        changes = _diff_against_previous(con, previous, f"SELECT * FROM read_parquet({sql_path(current)})")
    assert changes["indicators"] == {"preterm": {
        "rows_added": 0, "rows_removed": 0, "values_changed": 0, "max_abs_change": 0.0,
        "cells_newly_withheld": 1, "cells_newly_published": 1, "national_value_changed": False}}


def _published_contents(paths) -> dict:
    from orchestration.published import RELEASED_MARTS

    contents = {}
    with duckdb.connect(str(paths.published), read_only=True) as con:
        for table in (*RELEASED_MARTS, "releases"):  # by column name, whatever the columns' order
            columns = sorted(row[0] for row in con.execute(f"DESCRIBE {table}").fetchall())
            rows = con.execute(f"SELECT {', '.join(columns)} FROM {table}").fetchall()
            contents[table] = (columns, sorted(rows, key=repr))
    return contents


def test_published_file_is_updated_in_place_and_written_afresh_when_it_must(copy_home):
    """Publishing a year copies the published file and replaces the year's rows; the file is
    written afresh instead when a copy would keep too much free space (the blocks of the year's
    old rows) or when its tables are not this version's. Every way gives the same contents."""
    from orchestration.analyst_views import create_analyst_views
    from orchestration.assets.release.publish import _swap_published, _updatable, latest_release, sql_path
    from orchestration.published import REFERENCE_TABLES

    paths = copy_home
    version, manifest = latest_release(paths, YEAR)
    release_dir = paths.releases / str(YEAR) / f"v{version}"
    values = sql_path(release_dir / "indicator_values.parquet")
    before = _published_contents(paths)

    def updatable() -> bool:
        with duckdb.connect() as con:
            return _updatable(con, paths.published, values)

    def publish_again() -> None:
        with duckdb.connect() as con:
            _swap_published(con, paths, YEAR, version, release_dir, manifest)
        assert _published_contents(paths) == before
        assert not list(paths.published_dir.glob(".monitor-*"))

    assert updatable()
    publish_again()  # in place: the one year is the whole file, so half of it is now free blocks
    assert not updatable()
    publish_again()  # written afresh: compact again
    assert updatable()

    with duckdb.connect(str(paths.published)) as con:
        con.execute("ALTER TABLE releases DROP COLUMN synthetic")  # a file from before the flag
    assert not updatable()
    publish_again()  # afresh, with this version's releases table (the flag from the inbox's markers)
    assert updatable()
    # the same columns in another order (a file written compactly, as the release writes it)
    shuffled = paths.published_dir / "shuffled.duckdb"
    with duckdb.connect(str(shuffled)) as con:
        con.execute(f"ATTACH {sql_path(paths.published)} AS old (READ_ONLY)")
        for table in (*REFERENCE_TABLES, "releases"):
            con.execute(f"CREATE TABLE {table} AS SELECT * FROM old.{table}")
        con.execute("CREATE TABLE indicator_values AS "
                    "SELECT * EXCLUDE (indicator_code), indicator_code FROM old.indicator_values")
    create_analyst_views(shuffled)
    shuffled.replace(paths.published)
    assert updatable()
    publish_again()

    # a log another writer left beside the file (a process that died) goes with the old file:
    # beside the new one, every reader would fail on it
    wal = paths.published.with_name(paths.published.name + ".wal")
    with duckdb.connect(str(paths.published)) as con:
        con.execute("PRAGMA disable_checkpoint_on_shutdown")
        con.execute("CREATE TABLE scratch AS SELECT 1 AS x")
    assert wal.exists() and not updatable()
    publish_again()
    assert not wal.exists()

    with duckdb.connect(str(paths.published)) as con:
        con.execute("ALTER TABLE indicator_values ADD COLUMN left_over INTEGER")
    assert not updatable()  # not the release's columns: written afresh, by name, as before
