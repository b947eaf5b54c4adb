# `make demo` and `make test` work on a fresh machine that has only python3 and pip.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: demo test check lint typecheck pytest fast-tests bench chaos readme clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

$(STAMP): $(BIN)/python pyproject.toml
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[sandbox,dev]'
	touch $(STAMP)

demo: $(STAMP)
	$(BIN)/syncer demo

test: lint typecheck pytest

# The inner loop: lint, types, and the tests that need no sandbox or network (well under 60 s).
check: lint typecheck fast-tests

FAST_TESTS := tests/unit tests/notion tests/store tests/engine tests/property/test_core_properties.py \
	tests/test_architecture.py

fast-tests: $(STAMP)
	$(BIN)/pytest -q $(FAST_TESTS)

PY_PATHS := syncer tests bench migrations

lint: $(STAMP)
	$(BIN)/ruff check $(PY_PATHS)
	$(BIN)/ruff format --check $(PY_PATHS)

typecheck: $(STAMP)
	$(BIN)/mypy

CORE := syncer/core/*

pytest: $(STAMP)
	$(BIN)/coverage run -m pytest
	$(BIN)/coverage report --fail-under=100 --include='$(CORE)'

# Benchmark-only tools, each pinned: csv2notion-neo (a peer, in its own environment) and matplotlib
# (the chart). If csv2notion-neo cannot be installed, the benchmark still runs and says so.
CSV2NOTION_NEO := csv2notion-neo==2.2.1
MATPLOTLIB := matplotlib==3.11.2
CSV2NOTION_VENV := bench/.venv-csv2notion

$(CSV2NOTION_VENV)/.installed:
	rm -rf $(CSV2NOTION_VENV)
	$(PYTHON) -m venv $(CSV2NOTION_VENV)
	$(CSV2NOTION_VENV)/bin/python -m pip install --quiet '$(CSV2NOTION_NEO)'
	touch $@

# Every benchmark (about 12 minutes): a table of figure, target, met; bench/results.json; the chart.
bench: $(STAMP)
	-$(MAKE) $(CSV2NOTION_VENV)/.installed || rm -rf $(CSV2NOTION_VENV)
	$(BIN)/python -m pip install --quiet '$(MATPLOTLIB)'
	$(BIN)/python -m bench.run_all
	$(BIN)/python -m bench.chart

# The fault campaign: 1,000 seeded scenarios, one job more than the machine has cores;
# writes docs/reliability.md.
CHAOS_SCENARIOS ?= 1000
CHAOS_SEED ?= 1
CHAOS_JOBS ?= $(shell python3 -c "import os; print((os.cpu_count() or 1) + 1)")

chaos: $(STAMP)
	$(BIN)/python -m tests.chaos --scenarios $(CHAOS_SCENARIOS) --seed $(CHAOS_SEED) \
		--jobs $(CHAOS_JOBS) --report docs/reliability.md

readme: $(STAMP)
	$(BIN)/python -m syncer.cli._reference

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache .hypothesis .coverage
