# Lossbook: `make serve` to read the site locally, `make test` to run every check.
# Everything installs into .venv from the pins in constraints.txt.

PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
PIP := $(BIN)/python -m pip
export NO_MKDOCS_2_WARNING := 1
export TF_CPP_MIN_LOG_LEVEL := 2

.PHONY: serve build test bench lint clean

$(BIN)/python:
	$(PYTHON) -c 'import sys; assert sys.version_info[:2] == (3, 11), "Lossbook needs Python 3.11, got " + sys.version'
	$(PYTHON) -m venv $(VENV)

$(VENV)/.docs-installed: pyproject.toml constraints.txt | $(BIN)/python
	$(PIP) install --quiet --disable-pip-version-check -c constraints.txt -e ".[docs]"
	touch $@

$(VENV)/.test-installed: pyproject.toml constraints.txt | $(BIN)/python
	$(PIP) install --quiet --disable-pip-version-check -c constraints.txt -e ".[test]"
	touch $@ $(VENV)/.docs-installed

serve: $(VENV)/.docs-installed  ## build both languages and serve them at http://127.0.0.1:8000
	$(BIN)/mkdocs serve --dev-addr 127.0.0.1:8000

build: $(VENV)/.docs-installed  ## build the static site (both languages) into site/
	$(BIN)/mkdocs build

test: $(VENV)/.test-installed  ## run the whole suite
	$(BIN)/python -m pytest

$(VENV)/.dev-installed: pyproject.toml constraints.txt | $(BIN)/python
	$(PIP) install --quiet --disable-pip-version-check -c constraints.txt -e ".[dev]"
	touch $@ $(VENV)/.test-installed $(VENV)/.docs-installed

lint: $(VENV)/.dev-installed  ## ruff over the package, tests, snippets and hook
	$(BIN)/ruff check src tests snippets docs/hooks

bench: $(VENV)/.test-installed  ## measure speed as ratios; writes bench/results.* (commit them)
	$(BIN)/python -m lossbook.bench

clean:
	rm -rf site build .pytest_cache
