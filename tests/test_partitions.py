import pytest

from orchestration.partitions import dbt_vars_for_partition, yearly_partitions
from orchestration.settings import YEARS


def test_partitions_are_the_monitor_years():
    assert yearly_partitions.get_partition_keys() == [str(y) for y in range(2017, 2025)]
    assert YEARS[0] == 2017 and YEARS[-1] == 2024


def test_dbt_vars_for_partition():
    assert dbt_vars_for_partition("2023") == {"year": 2023}
    assert dbt_vars_for_partition("2019", classification_year=2022) == {"year": 2019, "classification_year": 2022}


@pytest.mark.parametrize("bad", ["20x3", "", "2023-01"])
def test_dbt_vars_rejects_non_years(bad):
    with pytest.raises(ValueError):
        dbt_vars_for_partition(bad)
