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
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

demo: $(STAMP)
	$(BIN)/syncer demo

test: lint typecheck pytest

# The inner loop: lint, types, and the tests that need no sandbox or network (well under 60 s).
check: lint typecheck fast-tests

FAST_TESTS := tests/unit tests/store tests/engine tests/property/test_core_properties.py \
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

bench: $(STAMP)
	$(BIN)/python -m bench.trigger_overhead
	$(BIN)/python -m bench.plan_speed
	$(BIN)/python -m bench.sandbox_speed
	$(BIN)/python -m bench.engine_scenarios
	$(BIN)/python -m bench.startup

# The fault campaign: 1,000 seeded scenarios, two at a time; writes docs/reliability.md.
CHAOS_SCENARIOS ?= 1000
CHAOS_SEED ?= 1
CHAOS_JOBS ?= 2

chaos: $(STAMP)
	$(BIN)/python -m tests.chaos --scenarios $(CHAOS_SCENARIOS) --seed $(CHAOS_SEED) \
		--jobs $(CHAOS_JOBS) --report docs/reliability.md

readme: $(STAMP)
	$(BIN)/python -m syncer.cli._reference

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache .hypothesis .coverage
