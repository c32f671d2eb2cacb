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

.PHONY: setup demo demo-extract test test-fast test-dbt-unit dev daemon clean docs browser wheelhouse test-offline

setup: $(VENV)/.synced

$(UV):
	$(PYTHON) -m venv $(TOOLS)
	$(TOOLS)/bin/pip install --quiet --disable-pip-version-check uv==$(UV_VERSION)

# --compile-bytecode: with PYTHONDONTWRITEBYTECODE set (as on some machines) Python would
# otherwise compile Dagster, dbt and GX from source in every process, about a fifth of a build's CPU.
$(VENV)/.synced: uv.lock pyproject.toml Makefile | $(UV)
	$(UV) sync --frozen --quiet --compile-bytecode
	@touch $@

# the demo of the real setting: CBS Remote Access tables (.sav) at national size, 2017-2024
demo: setup  ## write the RA demo layout, build and release every year from it
	$(BIN)/ksm demo-data --layout cbs-ra
	$(BIN)/ksm run --all
	$(BIN)/ksm status

demo-extract: setup  ## the same population as extracts in the inbox (faster), built and released
	$(BIN)/ksm demo-data
	$(BIN)/ksm run --all
	$(BIN)/ksm status

# one worker per core, whole test files per worker (module fixtures are built once), handed out
# in collection order: the longest files first (tests/conftest.py, LONGEST_FIRST)
TEST_WORKERS ?= auto
TEST_DIST := --dist loadfile --no-loadscope-reorder
test: setup browser  ## the whole test suite (what CI runs)
	$(BIN)/python -m pytest -n $(TEST_WORKERS) $(TEST_DIST)

# dbt unit tests (unit_tests: in dbt_project/models): the SQL rules of counting, disclosure
# control and the published figures (intervals, comparisons, trend, SII) on fixed inputs; they
# need no built warehouse, only a DuckDB file to run in. tests/test_dbt_macros.py runs them too.
test-dbt-unit: setup  ## dbt unit tests of counting, suppression, intervals, trend, SII (seconds)
	@mkdir -p $(KSM_HOME)/dbt-unit
	cd dbt_project && KSM_WAREHOUSE=$(KSM_HOME)/dbt-unit/unit.duckdb ../$(BIN)/dbt test \
		--select test_type:unit --target-path $(KSM_HOME)/dbt-unit/target --log-path $(KSM_HOME)/dbt-unit/logs

# the first tier: pure logic, the SQL macros and dbt's unit tests; no pipeline run
test-fast: setup  ## unit tests only, dbt's included (seconds)
	$(BIN)/python -m pytest -n $(TEST_WORKERS) $(TEST_DIST) -m "not e2e"

# Headless Chromium for the browser tests (Debian's package): installed only when missing and
# apt-get can run as root; otherwise nothing happens and those tests skip.
browser:
	@command -v chromium >/dev/null 2>&1 || { [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1 \
		&& echo "installing chromium for the browser tests (apt-get, a few minutes) ..." \
		&& { DEBIAN_FRONTEND=noninteractive apt-get install -y -q chromium >/dev/null 2>&1 \
		     || { apt-get update -q >/dev/null 2>&1 && DEBIAN_FRONTEND=noninteractive apt-get install -y -q chromium >/dev/null 2>&1; }; } \
		|| echo "chromium not installed: the browser tests will skip"; }

# CBS Remote Access installs offline: every wheel uv.lock pins, Linux and Windows (README)
WHEELHOUSE := dist/wheelhouse
wheelhouse: setup  ## the wheels for an offline install (CBS Remote Access) into dist/wheelhouse
	$(BIN)/ksm wheelhouse --dest $(WHEELHOUSE)

# install from the wheelhouse into a fresh venv without network (unshare -n), then the quick tier
test-offline: setup  ## the offline install and the quick tests in it (builds the wheelhouse if missing)
	@[ -f $(WHEELHOUSE)/requirements.txt ] || $(MAKE) wheelhouse
	@# the project's own wheel from the sources as they are now (the tests come from them)
	$(UV) build --wheel --quiet --no-build-logs --out-dir $(WHEELHOUSE)
	KSM_WHEELHOUSE=$(CURDIR)/$(WHEELHOUSE) $(BIN)/python -m pytest -m offline_install tests/test_wheelhouse.py

DBT_DOCS := $(KSM_HOME)/dbt-docs
docs: setup  ## generated docs (indicator catalogue, data dictionary) and the dbt docs site
	$(BIN)/ksm docs
	@# with a warehouse: compiled SQL (of its newest year) and the catalog of its tables; without: the project only
	cd dbt_project && export KSM_WAREHOUSE="$(KSM_HOME)/warehouse.duckdb" PATH="$(CURDIR)/$(BIN):$$PATH" && \
	if [ -f "$$KSM_WAREHOUSE" ]; then \
		KSM_BUILD_YEAR=$$($(CURDIR)/$(BIN)/python -c "import duckdb, os; print(duckdb.connect(os.environ['KSM_WAREHOUSE'], read_only=True).sql('select max(year_to) from marts.indicator_values').fetchone()[0])") \
		dbt docs generate --static --project-dir . --profiles-dir . --target-path "$(DBT_DOCS)"; \
	else \
		dbt parse --project-dir . --profiles-dir . --target-path "$(DBT_DOCS)" && \
		dbt docs generate --static --no-compile --empty-catalog --project-dir . --profiles-dir . --target-path "$(DBT_DOCS)"; \
	fi
	@echo "dbt docs site: $(DBT_DOCS)/static_index.html (one file; open it in a browser)"

dev: setup  ## the Dagster UI and daemon on the same instance as ksm
	$(BIN)/ksm status
	PATH="$(CURDIR)/$(BIN):$$PATH" $(BIN)/dagster dev -w workspace.yaml

daemon: setup  ## the Dagster daemon only: the sensors (alerts, inbox) and queued runs
	$(BIN)/ksm status
	PATH="$(CURDIR)/$(BIN):$$PATH" $(BIN)/dagster-daemon run -w workspace.yaml

clean:  ## remove the warehouse, releases, instance and environments
	rm -rf var dist $(VENV) $(TOOLS) dbt_project/target dbt_project/logs .pytest_cache *.egg-info
