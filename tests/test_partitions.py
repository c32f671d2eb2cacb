import pytest
from dagster import DagsterInstance

from orchestration.partitions import new_partition_keys, partition_year, register_years, yearly_partitions
from orchestration.rebuilds import PlannedRun, plan_runs
from orchestration.settings import first_year


def test_years_are_partitions_once_registered_with_no_list_in_the_code():
    with DagsterInstance.ephemeral() as instance:
        assert yearly_partitions.get_partition_keys(dynamic_partitions_store=instance) == []
        assert register_years(instance, [2024, 2022, 2026]) == ["2022", "2024", "2026"]
        assert register_years(instance, [2026, 2031]) == ["2031"]  # only what is new, any year
        assert new_partition_keys(instance, [2022, 2027]) == ["2027"]
        assert yearly_partitions.get_partition_keys(dynamic_partitions_store=instance) == [
            "2022", "2024", "2026", "2031"]


def test_first_year_is_a_setting():
    assert first_year({}) == 2017
    assert first_year({"KSM_FIRST_YEAR": " 2019 "}) == 2019
    with pytest.raises(ValueError, match="KSM_FIRST_YEAR"):
        first_year({"KSM_FIRST_YEAR": "19"})


def test_partition_year():
    assert partition_year("2023") == 2023


@pytest.mark.parametrize("bad", ["20x3", "", "2023-01"])
def test_partition_year_rejects_non_years(bad):
    with pytest.raises(ValueError):
        partition_year(bad)


def test_a_new_year_on_a_newer_classification_rebuilds_every_released_year_first():
    released = {2022: 2024, 2023: 2024, 2024: 2024, 2025: 2024}
    assert plan_runs([2026], released, 2026) == [
        PlannedRun(2022, "classification 2024 -> 2026"), PlannedRun(2023, "classification 2024 -> 2026"),
        PlannedRun(2024, "classification 2024 -> 2026"), PlannedRun(2025, "classification 2024 -> 2026"),
        PlannedRun(2026)]


def test_a_new_year_on_the_same_classification_rebuilds_nothing():
    assert plan_runs([2025], {2022: 2024, 2023: 2024, 2024: 2024}, 2024) == [PlannedRun(2025)]


def test_an_earlier_year_rebuilt_updates_the_later_pooled_periods_and_trends_within_five_years():
    released = {y: 2024 for y in range(2017, 2025)}
    plan = plan_runs([2019], released, 2024)
    assert plan == [PlannedRun(2019)] + [
        PlannedRun(y, "pooled period and trend include 2019") for y in (2020, 2021, 2022, 2023)]
    # a year without a known classification (or none released) is left alone
    assert plan_runs([2024], {2023: None}, 2026) == [PlannedRun(2024)]
    # --all asks for every year: nothing else to add
    assert plan_runs(range(2017, 2025), released, 2024) == [PlannedRun(y) for y in range(2017, 2025)]
