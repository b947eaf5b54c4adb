# `make demo` and `make test` work on a fresh machine that has only python3 and pip.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: demo test lint typecheck pytest bench readme clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

$(STAMP): $(BIN)/python pyproject.toml
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

demo: $(STAMP)
	$(BIN)/syncer demo

test: lint typecheck pytest

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

readme: $(STAMP)
	$(BIN)/python -m syncer.cli._reference

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache .hypothesis .coverage
