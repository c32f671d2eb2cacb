"""Quality gates: expectation suites (expectations/*.json) and reconciliations as asset checks
(`checks.py`). Nothing is imported here: the run's checks worker (`worker.py`) loads the
validations without Dagster."""
