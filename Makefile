# Every target creates .venv and installs the project on first use: a fresh machine needs only Python 3.11+.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run test lint bench check clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -c constraints.txt -e '.[dev]'
	touch $(STAMP)

run: $(STAMP)
	$(BIN)/rigfit run

test: $(STAMP)
	$(BIN)/rigfit catalog check
	$(BIN)/pytest -n auto --dist loadfile --no-loadscope-reorder --ignore=tests/e2e  # a worker a core (tests/conftest.py)
	$(BIN)/pytest tests/e2e  # alone: the bot processes answer within timeouts

lint: $(STAMP)
	$(BIN)/ruff check bot engine catalog calibrate tests bench
	$(BIN)/ruff format --check bot engine catalog calibrate tests bench
	$(BIN)/mypy

bench: $(STAMP)
	$(BIN)/python -m bench

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache
