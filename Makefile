# allmende — the two commands a newcomer needs: `make demo` and `make test`.
# Both set up everything themselves (Python environment, Go-built tools) on first use.

PYTHON_BASE ?= python3
VENV        := .venv
PY          := $(VENV)/bin/python
STAMP       := $(VENV)/.installed
ALLMENDE    := $(PY) -m allmende
PYTEST_ARGS ?=

.PHONY: setup tools test test-fast lint demo demo-down bench clean

setup: $(STAMP)

$(STAMP): pyproject.toml
	test -x $(PY) || $(PYTHON_BASE) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[registry,bare-metal,policy,dev]'
	$(PY) -m pip check
	touch $(STAMP)

tools: setup
	$(ALLMENDE) tools build

test: setup tools
	$(PY) -m pytest -p no:cacheprovider $(PYTEST_ARGS)

test-fast: setup
	$(PY) -m pytest -p no:cacheprovider -m "unit or component" $(PYTEST_ARGS)

lint: setup
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	tools/typecheck

demo: setup tools
	$(ALLMENDE) demo science

demo-down: setup
	$(ALLMENDE) dev down

bench: setup tools
	$(PY) -m bench

clean:
	rm -rf build out .pytest_cache .mypy_cache .ruff_cache
