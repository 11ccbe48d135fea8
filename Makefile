# Lossbook: `make serve` to read the site locally, `make test` to run every check.
# Everything installs into .venv from the pins in constraints.txt.

PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
PIP := $(BIN)/python -m pip
export NO_MKDOCS_2_WARNING := 1
export TF_CPP_MIN_LOG_LEVEL := 2

.PHONY: serve build test test-oldest bench lint clean

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

# The oldest TensorFlow and Keras lossbook supports (constraints-oldest.txt), in a venv of
# their own: the unit tests of the package and every snippet, not the site.
OLDEST := .venv-oldest
UNIT_TESTS := tests/test_losses.py tests/test_robust_losses.py tests/test_crossentropy.py \
	tests/test_binary_losses.py tests/test_distribute.py \
	tests/test_keras_compat.py \
	tests/test_data.py tests/test_train.py tests/test_plotting.py tests/test_requires.py

$(OLDEST)/.installed: pyproject.toml constraints-oldest.txt
	$(PYTHON) -m venv $(OLDEST)
	$(OLDEST)/bin/python -m pip install --quiet --disable-pip-version-check \
		-c constraints-oldest.txt -e ".[cpu,figures]" pytest hypothesis
	touch $@

test-oldest: $(OLDEST)/.installed  ## unit tests and snippets on the oldest supported TensorFlow
	$(OLDEST)/bin/python -c 'import tensorflow as tf, keras; print("TensorFlow", tf.__version__, "Keras", keras.__version__)'
	$(OLDEST)/bin/python -m pytest -p no:cacheprovider $(UNIT_TESTS)
	mkdir -p build
	MPLBACKEND=Agg $(OLDEST)/bin/python -m lossbook._site.runner --out build/oldest/run \
		--jobs 2 snippets/*.py > build/oldest-snippets.jsonl || \
		{ grep -v '"ok": true' build/oldest-snippets.jsonl; exit 1; }
	@echo "every snippet ran: $$(wc -l < build/oldest-snippets.jsonl) of them"

$(VENV)/.dev-installed: pyproject.toml constraints.txt | $(BIN)/python
	$(PIP) install --quiet --disable-pip-version-check -c constraints.txt -e ".[dev]"
	touch $@ $(VENV)/.test-installed $(VENV)/.docs-installed

lint: $(VENV)/.dev-installed  ## ruff over the package, tests, snippets and hook
	$(BIN)/ruff check src tests snippets docs/hooks

bench: $(VENV)/.test-installed  ## measure speed as ratios; writes bench/results.* (commit them)
	$(BIN)/python -m lossbook.bench

clean:
	rm -rf site build .pytest_cache $(OLDEST)
