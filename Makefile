# cad110 — two commands for a fresh machine: `make demo` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
TEST_STAMP := $(VENV)/.installed-test
export CAD110_DATABASE_URL ?= sqlite:///./var/cad110.db
# The living demo's traffic: 4 is about a call every ten seconds; 0 serves a quiet city.
SIM_SPEED ?= 4
# Test workers: one more than the cores, as the browser tests spend much of their time waiting on
# Chromium and the server; a file's tests stay together (module fixtures are built once).
TEST_WORKERS ?= $(shell echo $$(( $$(nproc) + 1 )))

.PHONY: demo test lint typecheck install clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

$(STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e .
	touch $@

$(TEST_STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e ".[test]"
	touch $(STAMP) $@

install: $(STAMP)

## demo: migrate ./var/cad110.db, seed Fuzhou and serve it, alive, on http://127.0.0.1:8110
demo: $(STAMP)
	$(BIN)/cad110 db upgrade
	$(BIN)/cad110 seed demo
	$(BIN)/cad110 serve --sim-speed $(SIM_SPEED)

## test: lint, types, import contracts, and every test on SQLite and PostgreSQL
test: $(TEST_STAMP)
	bash scripts/install-chromium.sh
	$(BIN)/ruff check src tests
	$(BIN)/ruff format --check src tests
	$(BIN)/mypy src
	$(BIN)/lint-imports
	$(BIN)/pytest -n $(TEST_WORKERS) --dist loadfile --durations=30

lint: $(TEST_STAMP)
	$(BIN)/ruff check src tests
	$(BIN)/mypy src
	$(BIN)/lint-imports

clean:
	rm -rf $(VENV) var .pytest_cache .mypy_cache .ruff_cache
