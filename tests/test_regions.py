"""Unit tests for the bundled demo classifications 2017-2024 and the merger mapping (orchestration.regions)."""

from __future__ import annotations

import datetime
from collections import Counter

import pytest

from demo import reference as regions
from demo.reference import GGD_REGIONS, PROVINCES
from orchestration.regions import Merger, code_mapping

YEARS = range(2017, 2025)

# Gemeenten on 1 January per classification year (CBS).
EXPECTED_COUNTS = {
    2017: 388,
    2018: 380,
    2019: 355,
    2020: 355,
    2021: 352,
    2022: 345,
    2023: 342,
    2024: 342,
}


def _codes(year: int) -> set[str]:
    return {g.code for g in regions.classification(year)}


def _names(year: int) -> dict[str, str]:
    return {g.code: g.name for g in regions.classification(year)}


# --------------------------------------------------------------------------- reference tables


def test_reference_dimensions():
    assert len(PROVINCES) == 12
    assert sorted(PROVINCES) == [f"PV{n}" for n in range(20, 32)]
    assert len(GGD_REGIONS) == 25
    assert all(code.startswith("GG") and len(code) == 6 for code in GGD_REGIONS)


@pytest.mark.parametrize("year", YEARS)
def test_counts_per_classification_year(year):
    assert len(regions.classification(year)) == EXPECTED_COUNTS[year]


@pytest.mark.parametrize("year", YEARS)
def test_classification_is_sorted_unique_and_well_formed(year):
    gemeenten = regions.classification(year)
    codes = [g.code for g in gemeenten]
    assert codes == sorted(codes)
    assert len(codes) == len(set(codes))
    for g in gemeenten:
        assert len(g.code) == 6 and g.code.startswith("GM") and g.code[2:].isdigit(), g
        assert g.name and g.name == g.name.strip(), g
        # exactly one known provincie and one known GGD-regio per gemeente and year
        assert g.provincie_code in PROVINCES, g
        assert g.ggd_code in GGD_REGIONS, g


@pytest.mark.parametrize("year", YEARS)
def test_every_province_and_ggd_region_used_every_year(year):
    gemeenten = regions.classification(year)
    assert {g.provincie_code for g in gemeenten} == set(PROVINCES)
    assert {g.ggd_code for g in gemeenten} == set(GGD_REGIONS)


@pytest.mark.parametrize("year", YEARS)
def test_each_ggd_region_lies_mostly_in_one_province(year):
    # Sanity check on the membership data: a GGD-regio is (almost) inside one provincie; the
    # only cross-border member is Eemnes (Utrecht) in GGD Gooi en Vechtstreek.
    by_ggd: dict[str, Counter] = {}
    for g in regions.classification(year):
        by_ggd.setdefault(g.ggd_code, Counter())[g.provincie_code] += 1
    crossings = {ggd: c for ggd, c in by_ggd.items() if len(c) > 1}
    assert set(crossings) <= {"GG3606"}
    assert crossings.get("GG3606", Counter({"PV27": 1}))["PV26"] <= 1


def test_known_memberships_and_names():
    y2024 = {g.code: g for g in regions.classification(2024)}
    assert y2024["GM0363"] == regions.Gemeente("GM0363", "Amsterdam", "PV27", "GG3406")
    assert y2024["GM0317"].ggd_code == "GG3606"  # Eemnes: Utrecht, GGD Gooi en Vechtstreek
    assert y2024["GM0317"].provincie_code == "PV26"
    assert y2024["GM0518"].name == "'s-Gravenhage"
    assert y2024["GM1900"].name == "Súdwest-Fryslân"
    assert y2024["GM1970"].name == "Noardeast-Fryslân"
    assert y2024["GM0373"].name == "Bergen (NH.)"
    assert y2024["GM0893"].name == "Bergen (L.)"
    assert y2024["GM0164"].name == "Hengelo"
    assert y2024["GM0820"].name == "Nuenen, Gerwen en Nederwetten"
    assert y2024["GM1992"].provincie_code == "PV28"
    assert {g.ggd_code for g in y2024.values() if g.provincie_code == "PV24"} == {"GG2209"}
    assert {g.ggd_code for g in y2024.values() if g.provincie_code == "PV23"} == {"GG1009", "GG1106"}
    assert {g.ggd_code for g in y2024.values() if g.provincie_code == "PV31"} == {"GG6011", "GG6106"}
    # Disappeared gemeenten keep the provincie / GGD-regio where they lay.
    y2018 = {g.code: g for g in regions.classification(2018)}
    assert (y2018["GM0545"].provincie_code, y2018["GM0545"].ggd_code) == ("PV28", "GG4816")  # Leerdam
    assert (y2018["GM0707"].provincie_code, y2018["GM0707"].ggd_code) == ("PV28", "GG4816")  # Zederik
    assert y2018["GM0620"].provincie_code == "PV26"  # Vianen


def test_weesp_in_2022_gone_in_2023():
    assert "GM0457" in _codes(2022)
    assert "GM0457" not in _codes(2023)


def test_classification_outside_bundled_years():
    with pytest.raises(ValueError):
        regions.classification(2016)
    with pytest.raises(ValueError):
        regions.classification(2025)


# --------------------------------------------------------------------------- merger table


def test_merger_classification_year():
    d = lambda s: datetime.date.fromisoformat(s)  # noqa: E731
    m = Merger(d("2022-03-24"), "GM0457", "Weesp", "GM0363", "Amsterdam", 1.0)
    assert m.classification_year == 2023
    assert Merger(d("2019-01-01"), "A", "a", "B", "b", 1.0).classification_year == 2019


def test_merger_shares_sum_to_one_per_old_gemeente():
    totals: dict[tuple, float] = {}
    for m in regions.mergers():
        assert 0 < m.share <= 1
        totals[(m.date, m.old_code)] = totals.get((m.date, m.old_code), 0.0) + m.share
    for key, total in totals.items():
        assert total == pytest.approx(1.0), key


def test_splits_have_expected_successors():
    by_old: dict[str, set[str]] = {}
    for m in regions.mergers():
        by_old.setdefault(m.old_code, set()).add(m.new_code)
    assert by_old["GM0140"] == {"GM0080", "GM1900", "GM1949"}
    assert by_old["GM0053"] == {"GM1966", "GM1969"}
    assert by_old["GM0788"] == {"GM0824", "GM0865", "GM0757", "GM0855"}
    splits = {old for old, new in by_old.items() if len(new) > 1}
    assert splits == {"GM0140", "GM0053", "GM0788"}


def test_merger_dates_within_range_and_meierijstad_documented():
    ms = regions.mergers()
    assert min(m.date for m in ms) == datetime.date(2017, 1, 1)
    assert max(m.date for m in ms) <= datetime.date(2024, 1, 1)
    meierijstad = {m.old_code for m in ms if m.new_code == "GM1948"}
    assert meierijstad == {"GM0844", "GM0846", "GM0860"}
    weesp = [m for m in ms if m.old_code == "GM0457"]
    assert [(m.date, m.new_code) for m in weesp] == [(datetime.date(2022, 3, 24), "GM0363")]


@pytest.mark.parametrize("year", range(2017, 2024))
def test_classifications_consistent_with_mergers(year):
    """classification(Y+1) == classification(Y) - old codes + new codes of mergers in force in Y+1."""
    in_force = [m for m in regions.mergers() if m.classification_year == year + 1]
    old = {m.old_code for m in in_force}
    new = {m.new_code for m in in_force}
    before = _codes(year)
    assert old <= before, old - before
    assert _codes(year + 1) == (before - old) | new


@pytest.mark.parametrize("merger", regions.mergers(), ids=lambda m: f"{m.old_code}->{m.new_code}")
def test_merger_names_match_classifications(merger):
    year = merger.classification_year
    if year > 2017:  # the 2017 Meierijstad row documents gemeenten older than the bundled data
        assert _names(year - 1)[merger.old_code] == merger.old_name
    assert _names(year)[merger.new_code] == merger.new_name


# --------------------------------------------------------------------------- code_mapping


def test_mapping_haren_2018_to_2019():
    mapping = code_mapping(regions.mergers(), 2018, 2019, ["GM0017"])
    assert mapping == {"GM0017": [("GM0014", 1.0)]}


def test_mapping_weesp():
    ms = regions.mergers()
    assert code_mapping(ms, 2022, 2023, ["GM0457"]) == {"GM0457": [("GM0363", 1.0)]}
    assert code_mapping(ms, 2022, 2022, ["GM0457"]) == {"GM0457": [("GM0457", 1.0)]}


def test_mapping_littenseradiel_2017_to_2024_splits_over_three():
    targets = code_mapping(regions.mergers(), 2017, 2024, ["GM0140"])["GM0140"]
    assert {code for code, _ in targets} == {"GM0080", "GM1900", "GM1949"}
    assert sum(share for _, share in targets) == pytest.approx(1.0)
    assert all(0 < share < 1 for _, share in targets)
    assert {code for code, _ in targets} <= _codes(2024)


def test_mapping_haaren_2020_to_2024_four_successors():
    targets = code_mapping(regions.mergers(), 2020, 2024, ["GM0788"])["GM0788"]
    assert {code for code, _ in targets} == {"GM0824", "GM0865", "GM0757", "GM0855"}
    assert sum(share for _, share in targets) == pytest.approx(1.0)


def test_mapping_chained_synthetic_mergers():
    d = datetime.date
    ms = [
        Merger(d(2019, 1, 1), "A", "a", "B", "b", 1.0),
        Merger(d(2022, 1, 1), "B", "b", "C", "c", 0.25),
        Merger(d(2022, 1, 1), "B", "b", "D", "d", 0.75),
        Merger(d(2022, 1, 1), "E", "e", "C", "c", 1.0),
    ]
    mapping = code_mapping(ms, 2018, 2022, ["A", "B", "E", "X"])
    assert mapping["A"] == [("C", pytest.approx(0.25)), ("D", pytest.approx(0.75))]
    assert mapping["B"] == [("C", 0.25), ("D", 0.75)]
    assert mapping["E"] == [("C", 1.0)]
    assert mapping["X"] == [("X", 1.0)]
    # only the first step falls in (2018, 2021]
    assert code_mapping(ms, 2018, 2021, ["A"]) == {"A": [("B", 1.0)]}
    # a merger in force in from_year itself is not applied again
    assert code_mapping(ms, 2019, 2021, ["B"]) == {"B": [("B", 1.0)]}


def test_mapping_chained_split_then_merge_combines_shares():
    d = datetime.date
    ms = [
        Merger(d(2019, 1, 1), "S", "s", "P", "p", 0.6),
        Merger(d(2019, 1, 1), "S", "s", "Q", "q", 0.4),
        Merger(d(2021, 7, 1), "P", "p", "R", "r", 1.0),  # in force from the 2022 classification
        Merger(d(2021, 7, 1), "Q", "q", "R", "r", 1.0),
    ]
    assert code_mapping(ms, 2018, 2021, ["S"]) == {"S": [("P", 0.6), ("Q", 0.4)]}
    (code, share), = code_mapping(ms, 2018, 2022, ["S"])["S"]
    assert code == "R" and share == pytest.approx(1.0)


@pytest.mark.parametrize("year", YEARS)
def test_mapping_same_year_is_identity(year):
    codes = sorted(_codes(year))
    mapping = code_mapping(regions.mergers(), year, year, codes)
    assert mapping == {c: [(c, 1.0)] for c in codes}


@pytest.mark.parametrize("from_year", YEARS)
def test_mapping_lands_in_target_classification(from_year):
    to_year = 2024
    mapping = code_mapping(regions.mergers(), from_year, to_year, _codes(from_year))
    target = _codes(to_year)
    assert set(mapping) == _codes(from_year)
    for code, targets in mapping.items():
        assert {c for c, _ in targets} <= target, code
        assert sum(s for _, s in targets) == pytest.approx(1.0), code


def test_mapping_rejects_bad_input():
    d = datetime.date
    with pytest.raises(ValueError):
        code_mapping(regions.mergers(), 2024, 2017, ["GM0363"])
    bad = [Merger(d(2020, 1, 1), "A", "a", "B", "b", 0.5)]
    with pytest.raises(ValueError):
        code_mapping(bad, 2019, 2020, ["A"])
