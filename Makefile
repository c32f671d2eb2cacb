# Everything installs from uv.lock into .venv; only Python 3.11+ and make are needed.
PYTHON ?= python3
UV_VERSION := 0.13.9
TOOLS := .tools
UV := $(TOOLS)/bin/uv
VENV := .venv
BIN := $(VENV)/bin

export KSM_HOME ?= $(CURDIR)/var
export DAGSTER_HOME ?= $(KSM_HOME)/dagster
export UV_PROJECT_ENVIRONMENT := $(CURDIR)/$(VENV)
export UV_PYTHON := $(shell command -v $(PYTHON))

.PHONY: setup demo test dev daemon clean

setup: $(VENV)/.synced

$(UV):
	$(PYTHON) -m venv $(TOOLS)
	$(TOOLS)/bin/pip install --quiet --disable-pip-version-check uv==$(UV_VERSION)

$(VENV)/.synced: uv.lock pyproject.toml | $(UV)
	$(UV) sync --frozen --quiet
	@touch $@

demo: setup  ## write the demo extracts, build and release every year
	$(BIN)/ksm demo-data
	$(BIN)/ksm run --all
	$(BIN)/ksm status

test: setup  ## the whole test suite
	$(BIN)/python -m pytest

dev: setup  ## the Dagster UI and daemon on the same instance as ksm
	$(BIN)/ksm status
	PATH="$(CURDIR)/$(BIN):$$PATH" $(BIN)/dagster dev -w workspace.yaml

daemon: setup  ## the Dagster daemon only: the sensors (alerts, inbox) and queued runs
	$(BIN)/ksm status
	PATH="$(CURDIR)/$(BIN):$$PATH" $(BIN)/dagster-daemon run -w workspace.yaml

clean:  ## remove the warehouse, releases, instance and environments
	rm -rf var $(VENV) $(TOOLS) dbt_project/target dbt_project/logs .pytest_cache *.egg-info
