"""The slope index of inequality (SII) by income quintile, as PHEindicatormethods' `phe_sii`.

Three layers, as in test_statistics.py:
- the Python reference (`reference_statistics.slope_index_of_inequality`) against the test
  values PHEindicatormethods publishes for phe_sii (value_type 0), and against a simulation of
  the interval the way phe_sii simulates it;
- the SQL (`dbt_project/macros/inequality.sql`), compiled inline by dbt and run in DuckDB on
  the same data, against the reference;
- the SII rows of `indicator_values` built end to end from the tiny delivery, enlarged so that
  some regions publish all five income quintiles, against the reference and the disclosure rule.
"""

from __future__ import annotations

import json
import math
import random
import shutil
from pathlib import Path
from statistics import NormalDist

import duckdb
import pytest

from orchestration.statistics import Z95, Z998
from reference_statistics import slope_index_of_inequality
from test_dbt_macros import run_dbt

# PHEindicatormethods, tests/testthat/testdata_SII.xlsx, sheet 'testdata_SII' (record N is on
# sheet row N + 1): the two areas of the value_type 0 tests, records 1-10 (area1) and 11-20
# (area2), one row per decile: (Population, Value, LowerCL, UpperCL). Records 61-65 and 66-70
# (the quintile test) are the first five deciles of each area.
PHE_AREAS = {
    "area1": [
        (7291, 75.933459010308098, 72.722053054645301, 79.144864965970797),
        (7997, 78.344238272784295, 75.250980219080205, 81.4374963264884),
        (6105, 83.836063104165405, 80.869729512475899, 86.802396695854895),
        (7666, 83.637539966493094, 80.157578356035998, 87.117501576950104),
        (5790, 80.465503152955904, 77.130878596927502, 83.800127708984206),
        (6934, 81.115675985702197, 78.049998681117799, 84.181353290286594),
        (5918, 81.693083571856207, 79.011578491948001, 84.374588651764398),
        (5974, 84.190006206098701, 81.445728276934304, 86.934284135263098),
        (7147, 80.595564108147201, 75.827185168894005, 85.363943047400397),
        (7534, 86.289434957862397, 83.2190593454592, 89.359810570265594),
    ],
    "area2": [
        (21675, 70.548531859999997, 70.098531859999994, 70.99853186),
        (20065, 71.571557339999998, 71.121557339999995, 72.14),
        (19750, 72.486986709999996, 72.036986709999994, 73.209999999999994),
        (24713, 73.519855190000001, 73.069855189999998, 73.7),
        (20112, 73.146054250000006, 72.696054250000003, 75.8),
        (19618, 76.158987120000006, 75.708987120000003, 78.760000000000005),
        (22408, 78.654448709999997, 78.204448709999994, 79.77),
        (19752, 80.564769609999999, 80.114769609999996, 81.209999999999994),
        (18939, 80.854866270000002, 80.404866269999999, 81.304866270000005),
        (19312, 79.971125299999997, 79.521125299999994, 80.900000000000006),
    ],
}

# Same file and sheet, columns sii, sii_lowercl_1, sii_uppercl_1 of the first record of each test:
# (area, quantiles used, confidence, sii, lower, upper, record). Records 1/11 and 41/51 are two
# seeded simulations on the same data (100,000 and 10,000 repetitions, column Repetitions);
# 21/31 are at 99%; 61/66 (quintiles) have the SII only.
PHE_EXPECTED = [
    ("area1", 10, 0.95, 6.9346164736688189, 3.1275946176508169, 10.7586873680794, 1),
    ("area2", 10, 0.95, 12.547846636351798, 11.936156426792138, 13.163020132396579, 11),
    ("area1", 10, 0.95, 6.9346164736688189, 3.1421243989944716, 10.805621466984828, 41),
    ("area2", 10, 0.95, 12.547846636351798, 11.937447333014509, 13.16492301413779, 51),
    ("area1", 10, 0.99, 6.9346164736688189, 1.9243274437391116, 11.99208403800279, 21),
    ("area2", 10, 0.99, 12.547846636351798, 11.743647833205888, 13.347203652453951, 31),
    ("area1", 5, 0.95, 7.9193341471008738, None, None, 61),
    ("area2", 5, 0.95, 3.6215563376545648, None, None, 66),
]


def phe_data(area: str, quantiles: int) -> tuple[list[float], list[float], list[float], list[float]]:
    rows = PHE_AREAS[area][:quantiles]
    populations, values, lower, upper = (list(column) for column in zip(*rows))
    return values, lower, upper, populations


def monte_carlo_tolerance(sd: float, confidence: float, draws: int = 10_000, errors: float = 2.0) -> float:
    """`errors` Monte Carlo standard errors of a simulated percentile: the limits PHE publishes
    are the (1 -/+ confidence) / 2 percentiles of `draws` simulated slopes, normal with standard
    deviation `sd`, whose standard error is sqrt(p (1 - p) / draws) / density(z_p) * sd."""
    p = (1 - confidence) / 2
    z = NormalDist().inv_cdf(1 - p)
    return errors * math.sqrt(p * (1 - p) / draws) / NormalDist().pdf(z) * sd


# --- the reference implementation --------------------------------------------------------------

@pytest.mark.parametrize("case", PHE_EXPECTED, ids=lambda c: f"record{c[-1]}")
def test_reference_matches_phe_test_values(case):
    """The SII itself is a regression, exact in PHE's tests; the limits come from PHE's seeded
    simulation and differ from the analytical ones by Monte Carlo noise: at most 0.027 standard
    errors of the SII here (records 1 and 41, two simulations on the same data, differ from each
    other by up to 0.024). Allowed: two Monte Carlo standard errors of a percentile of 10,000
    draws, the smaller of PHE's two runs (0.053 SE at 95%, 0.098 SE at 99%), well below what a
    wrong weight or standard error moves the limits by (test_tolerance_rejects_plausible_mistakes)."""
    area, quantiles, confidence, sii, lower, upper, _record = case
    z = NormalDist().inv_cdf(1 - (1 - confidence) / 2)
    ours, ours_lower, ours_upper = slope_index_of_inequality(*phe_data(area, quantiles), z=z)
    assert ours == pytest.approx(sii, rel=1e-12, abs=1e-12)
    if lower is None:
        return
    tolerance = monte_carlo_tolerance((ours_upper - ours) / z, confidence)
    assert abs(ours_lower - lower) <= tolerance, (ours_lower, lower, tolerance)
    assert abs(ours_upper - upper) <= tolerance, (ours_upper, upper, tolerance)


def test_tolerance_rejects_plausible_mistakes():
    """The Monte Carlo tolerance is tight enough to tell the method from near misses."""
    values, lower, upper, populations = phe_data("area1", 10)
    sii, ours_lower, _ = slope_index_of_inequality(values, lower, upper, populations)
    expected_lower = PHE_EXPECTED[0][4]
    tolerance = monte_carlo_tolerance((sii - ours_lower) / Z95, 0.95)
    # standard errors taken as half the interval (z forgotten), or from a 99.8% z
    for wrong_z in (1.0, Z998):
        wrong = [v - (v - lo) * Z95 / wrong_z for v, lo in zip(values, lower)]
        wrong_upper = [v + (u - v) * Z95 / wrong_z for v, u in zip(values, upper)]
        assert abs(slope_index_of_inequality(values, wrong, wrong_upper, populations)[1] - expected_lower) > tolerance
    # equal populations (ranks and weights ignoring the population sizes)
    unweighted = slope_index_of_inequality(values, lower, upper, [1.0] * len(values))
    assert abs(unweighted[0] - sii) > 0.1 and abs(unweighted[1] - expected_lower) > tolerance


def test_reference_agrees_with_phe_simulation():
    """phe_sii's interval by its own recipe: draw every quantile's value from N(value, SE), fit
    the line to each draw, take percentiles. It converges to the analytical interval."""
    values, lower, upper, populations = phe_data("area1", 5)
    sii, ours_lower, ours_upper = slope_index_of_inequality(values, lower, upper, populations)
    ses = [(u - lo) / (2 * Z95) for lo, u in zip(lower, upper)]
    rng = random.Random(5)
    draws = 20_000
    slopes = sorted(slope_index_of_inequality([rng.gauss(v, se) for v, se in zip(values, ses)],
                                              lower, upper, populations)[0] for _ in range(draws))
    tolerance = monte_carlo_tolerance((ours_upper - sii) / Z95, 0.95, draws=draws, errors=3)
    assert slopes[round(draws * 0.025) - 1] == pytest.approx(ours_lower, abs=tolerance)
    assert slopes[round(draws * 0.975) - 1] == pytest.approx(ours_upper, abs=tolerance)
    assert sum(slopes) / draws == pytest.approx(sii, abs=tolerance)


def test_reference_properties():
    populations = [300, 500, 200, 400, 600]
    total = sum(populations)
    ranks, cumulative = [], 0.0
    for p in populations:
        ranks.append((cumulative + p / 2) / total)
        cumulative += p
    # values on a straight line in the rank: the SII is its slope, the interval does not matter
    line = [10 + 4 * b for b in ranks]
    assert slope_index_of_inequality(line, [v - 1 for v in line], [v + 1 for v in line], populations)[0] == \
        pytest.approx(4.0, abs=1e-12)
    # equal values: no slope; the interval is symmetric about it and grows with the quintiles' ones
    flat = slope_index_of_inequality([7.0] * 5, [6.0] * 5, [8.0] * 5, populations)
    wider = slope_index_of_inequality([7.0] * 5, [5.0] * 5, [9.0] * 5, populations)
    assert flat[0] == pytest.approx(0.0, abs=1e-12) and flat[1] == pytest.approx(-flat[2])
    assert wider[2] == pytest.approx(2 * flat[2])
    # falling with income: negative; scaling every population leaves it unchanged
    falling = [20.0, 16.0, 13.0, 11.0, 10.0]
    result = slope_index_of_inequality(falling, [v - 2 for v in falling], [v + 2 for v in falling], populations)
    assert result[0] < 0
    assert slope_index_of_inequality(falling, [v - 2 for v in falling], [v + 2 for v in falling],
                                     [10 * p for p in populations]) == pytest.approx(result)
    with pytest.raises(ValueError):
        slope_index_of_inequality(falling, falling, falling, [0, 1, 1, 1, 1])


# --- the SQL macros ----------------------------------------------------------------------------

CELL_COLUMNS = ("indicator_code, period, year_from, year_to, classification_year, region_code, region_name, "
                "region_level, unit, interval_method, breakdown, breakdown_category, is_suppressed, "
                "denominator_published, value, ci95_lower, ci95_upper")


def cell(group: str, category: str, population, value, lower, upper, suppressed=False,
         breakdown="income_quintile", interval_method="wilson") -> str:
    def sql(x):
        return "null" if x is None else repr(x)
    return (f"('{group}', '2024', 2024, 2024, 2024, 'R_{group}', 'Region {group}', 'gemeente', '%', "
            f"'{interval_method}', '{breakdown}', '{category}', {str(suppressed).lower()}, "
            f"{sql(population)}, {sql(value)}, {sql(lower)}, {sql(upper)})")


@pytest.fixture(scope="module")
def macro_rows(dbt_scratch) -> dict[str, dict[str, dict]]:
    """sii_rows() on PHE's data: deciles (quantiles=10) and quintiles (the default), beside
    groups that must be withheld or left out."""
    deciles = [cell(area, str(i + 1), *row) for area in PHE_AREAS for i, row in enumerate(PHE_AREAS[area])]
    quintiles = [cell(area, str(i + 1), *row) for area in PHE_AREAS for i, row in enumerate(PHE_AREAS[area][:5])]
    # the 'unknown' category and other breakdowns are no quintiles; a withheld quintile withholds
    # the slope; a census indicator (no interval) gets none
    quintiles += [cell("area1", "unknown", 900, 50.0, 40.0, 60.0), cell("area1", "3", 5, 1.0, 0.5, 2.0, breakdown="parity")]
    for i, row in enumerate(PHE_AREAS["area1"][:5]):
        # withheld: no figures in the published stage; flagged: figures there, but withheld
        quintiles.append(cell("withheld", str(i + 1), *(row if i != 2 else (None,) * 4), suppressed=(i == 2)))
        quintiles.append(cell("flagged", str(i + 1), *row, suppressed=(i == 4)))
    quintiles += [cell("census", str(i + 1), *row, interval_method="none") for i, row in enumerate(PHE_AREAS["area2"][:5])]
    queries = {
        "deciles": f"with cells({CELL_COLUMNS}) as (values {', '.join(deciles)})\n{{{{ sii_rows('cells', quantiles=10) }}}}",
        "quintiles": f"with cells({CELL_COLUMNS}) as (values {', '.join(quintiles)})\n{{{{ sii_rows('cells') }}}}",
    }
    marker = "-- next query --"
    result = run_dbt(dbt_scratch, "compile", "--quiet", "--output", "json",
                     "--inline", f"\n{marker}\n".join(queries.values()))
    assert result.returncode == 0, result.stdout + result.stderr
    compiled = json.loads(result.stdout[result.stdout.index("{"):])["compiled"].split(marker)
    con = duckdb.connect()
    found = {}
    for name, sql in zip(queries, compiled):
        cursor = con.execute(sql)
        columns = [d[0] for d in cursor.description]
        found[name] = {row[0]: dict(zip(columns, row)) for row in cursor.fetchall()}
    return found


def test_macro_matches_the_reference_on_phe_data(macro_rows):
    for name, quantiles in (("deciles", 10), ("quintiles", 5)):
        for area in PHE_AREAS:
            row = macro_rows[name][area]
            data = phe_data(area, quantiles)
            sii, lower, upper = slope_index_of_inequality(*data)
            _, lower998, upper998 = slope_index_of_inequality(*data, z=Z998)
            assert row["value"] == pytest.approx(sii, rel=1e-12), (name, area)
            assert (row["ci95_lower"], row["ci95_upper"]) == pytest.approx((lower, upper), rel=1e-12)
            assert (row["ci998_lower"], row["ci998_upper"]) == pytest.approx((lower998, upper998), rel=1e-12)
            assert (row["breakdown"], row["breakdown_category"], row["ci_method"]) == ("sii", "income_quintile", "sii_normal")
            assert row["numerator"] is None and row["denominator"] is None
            assert row["suppressed"] is False and row["suppression_reason"] is None
            assert (row["period"], row["year_from"], row["year_to"], row["region_code"], row["region_level"],
                    row["unit"]) == ("2024", 2024, 2024, f"R_{area}", "gemeente", "%")
    # PHE's published SII values themselves
    expected = {(c[0], c[1]): c[3] for c in PHE_EXPECTED}
    assert macro_rows["deciles"]["area1"]["value"] == pytest.approx(expected["area1", 10], rel=1e-12)
    assert macro_rows["quintiles"]["area2"]["value"] == pytest.approx(expected["area2", 5], rel=1e-12)


def test_macro_withholds_a_slope_over_a_withheld_quintile_and_skips_census(macro_rows):
    for group in ("withheld", "flagged"):
        row = macro_rows["quintiles"][group]
        assert row["suppressed"] is True and row["suppression_reason"] == "quintile_withheld"
        assert all(row[c] is None for c in ("value", "ci95_lower", "ci95_upper", "ci998_lower", "ci998_upper",
                                            "ci_method", "numerator", "denominator"))
    assert "census" not in macro_rows["quintiles"]
    assert set(macro_rows["quintiles"]) == {"area1", "area2", "withheld", "flagged"}


# --- end to end -------------------------------------------------------------------------------

# The tiny delivery has 19 births per income quintile in Nederland: every quintile of a yes/no
# indicator is withheld (10 cases and 10 non-cases need 20). Four more copies of its births make
# 95 per quintile, the first two copies preterm in quintiles 1 and 2 (a gradient by income).
ENLARGE_SQL = """
insert into raw.perined
select p.* replace ('X{k}' || p.kind_id as kind_id, 'X{k}' || p.moeder_id as moeder_id,
    case when {k} <= 2 and c.inkomen_kwintiel <= 2 and p.amww >= 24 then 34 else p.amww end as amww)
from raw.perined as p
left join raw.cbs_linked as c on c.kind_id = p.kind_id and c.year = p.year
where p.year = 2020 and p.kind_id not like 'X%';

insert into raw.cbs_linked
select * replace ('X{k}' || kind_id as kind_id) from raw.cbs_linked where year = 2020 and kind_id not like 'X%';

insert into raw.vektis
select * replace ('X{k}' || kind_id as kind_id) from raw.vektis where year = 2020 and kind_id not like 'X%';
"""


@pytest.fixture(scope="module")
def enlarged(released, tmp_path_factory) -> Path:
    """The released tiny warehouse with five times the births of 2020, built again by dbt (every
    model and every dbt test, so the SII rows pass the project's own tests)."""
    tmp = tmp_path_factory.mktemp("inequality_e2e")
    warehouse = tmp / "warehouse.duckdb"
    for suffix in ("", ".wal"):
        if Path(f"{released[0].warehouse}{suffix}").exists():
            shutil.copyfile(f"{released[0].warehouse}{suffix}", f"{warehouse}{suffix}")
    with duckdb.connect(str(warehouse)) as con:
        for k in range(1, 5):
            con.execute(ENLARGE_SQL.format(k=k))
    from orchestration.dbt_invocation import extra_env

    with extra_env({"KSM_BUILD_YEAR": "2020"}):
        result = run_dbt(tmp, "build", warehouse=warehouse)
    assert result.returncode == 0, result.stdout[-4000:]
    return warehouse


def mart_rows(warehouse: Path, where: str) -> list[dict]:
    with duckdb.connect(str(warehouse), read_only=True) as con:
        cursor = con.execute(f"select * from marts.indicator_values where {where}")
        columns = [d[0] for d in cursor.description]
        return [dict(zip(columns, row)) for row in cursor.fetchall()]


@pytest.mark.e2e
def test_sii_rows_match_the_reference_and_the_disclosure_rule(enlarged):
    quintiles: dict[tuple, dict[str, dict]] = {}
    for row in mart_rows(enlarged, "breakdown = 'income_quintile' and breakdown_category <> 'unknown'"):
        key = (row["indicator_code"], row["period"], row["classification_year"], row["region_code"])
        quintiles.setdefault(key, {})[row["breakdown_category"]] = row
    sii_rows = mart_rows(enlarged, "breakdown = 'sii'")
    census = {"coalition", "action_plan", "prenatal_home_visits", "nu_niet_zwanger"}
    assert {r["indicator_code"] for r in sii_rows}.isdisjoint(census)
    by_key = {(r["indicator_code"], r["period"], r["classification_year"], r["region_code"]): r for r in sii_rows}
    assert len(by_key) == len(sii_rows) and set(by_key) == {k for k in quintiles if k[0] not in census}
    published = 0
    for key, row in by_key.items():
        cells = quintiles[key]
        assert sorted(cells) == ["1", "2", "3", "4", "5"]
        assert row["breakdown_category"] == "income_quintile" and row["numerator"] is None and row["denominator"] is None
        assert row["compared_to_nl"] is None and row["compared_to_parent"] is None and row["trend"] is None
        if any(c["suppressed"] for c in cells.values()):
            assert row["suppressed"] and row["suppression_reason"] == "quintile_withheld", key
            assert row["value"] is None and row["ci95_lower"] is None and row["ci_method"] is None
            continue
        published += 1
        ordered = [cells[q] for q in "12345"]
        data = ([c["value"] for c in ordered], [c["ci95_lower"] for c in ordered],
                [c["ci95_upper"] for c in ordered], [c["denominator"] for c in ordered])
        sii, lower, upper = slope_index_of_inequality(*data)
        _, lower998, upper998 = slope_index_of_inequality(*data, z=Z998)
        assert not row["suppressed"] and row["suppression_reason"] is None and row["ci_method"] == "sii_normal"
        assert row["value"] == pytest.approx(sii, rel=1e-9, abs=1e-9), key
        assert (row["ci95_lower"], row["ci95_upper"], row["ci998_lower"], row["ci998_upper"]) == pytest.approx(
            (lower, upper, lower998, upper998), rel=1e-9, abs=1e-9), key
        assert row["unit"] == ordered[0]["unit"]
    # both kinds are there, and the gradient built into the data shows: preterm falls with income
    assert 0 < published < len(by_key)
    nl = by_key["preterm", "2020", 2024, "NL01"]
    assert not nl["suppressed"] and nl["ci95_upper"] < 0


def test_macro_gives_the_same_bits_every_run(tmp_path):
    """A rebuild of the same inputs must publish the same bits: the release compares content
    hashes. DuckDB's parallel sums add doubles in any order, so sii_rows() adds in quantile
    order. 40,000 groups in shuffled rows, four threads, five runs: identical every time."""
    result = run_dbt(tmp_path, "compile", "--quiet", "--output", "json", "--inline", "{{ sii_rows('cells') }}")
    assert result.returncode == 0, result.stdout + result.stderr
    sql = json.loads(result.stdout[result.stdout.index("{"):])["compiled"]
    con = duckdb.connect()
    con.execute("SET threads = 4")
    con.execute("""
        CREATE TABLE cells AS
        SELECT 'preterm' AS indicator_code, '2024' AS period, 2024 AS year_from, 2024 AS year_to,
               2024 AS classification_year, 'R' || g AS region_code, 'Region ' || g AS region_name,
               'gemeente' AS region_level, '%' AS unit, 'wilson' AS interval_method,
               'income_quintile' AS breakdown, CAST(q AS VARCHAR) AS breakdown_category, FALSE AS is_suppressed,
               CAST(100 + floor(random() * 900) AS BIGINT) AS denominator_published,
               5 + random() * 10 AS value, 2 + random() * 3 AS ci95_lower, 15 + random() * 3 AS ci95_upper
        FROM range(40000) r(g), range(1, 6) s(q)
        ORDER BY random()""")
    runs = [con.execute(f"SELECT * FROM ({sql}) ORDER BY region_code").fetchall() for _ in range(5)]
    assert len(runs[0]) == 40000
    assert all(run == runs[0] for run in runs[1:])
