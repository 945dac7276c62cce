# Two commands do all set-up: `make run` (the app) and `make test` (the whole suite).
PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
PIP    := $(PY) -m pip --disable-pip-version-check -q

.PHONY: run test bench screenshots package clean system-deps-run system-deps-test

run: system-deps-run $(VENV)/.run-installed
	$(PY) -m clipper

test: system-deps-test $(VENV)/.test-installed
	$(PY) -m ruff check src tests bench
	$(PY) -m mypy src/clipper/core
	$(VENV)/bin/lint-imports
	$(PY) -m pytest

# The double-click app: dist/clipper/clipper and dist/clipper-<version>-linux-x86_64.tar.gz
package: system-deps-run $(VENV)/.test-installed
	bash packaging/build.sh

screenshots: system-deps-run $(VENV)/.run-installed
	$(PY) scripts/screenshots.py

bench: system-deps-test $(VENV)/.bench-installed
	$(PY) bench/run_all.py

system-deps-run:
	@scripts/system-deps.sh run

system-deps-test:
	@scripts/system-deps.sh test

# A current pip: 23.x's resolver aborts on readability-lxml's lxml[html_clean] (the bench extra).
$(VENV)/bin/python:
	$(PYTHON) -m venv $(VENV)
	$(PIP) install --upgrade 'pip>=24'

$(VENV)/.run-installed: pyproject.toml | $(VENV)/bin/python
	$(PIP) install -e .
	@touch $@

$(VENV)/.test-installed: pyproject.toml | $(VENV)/bin/python
	$(PIP) install -e '.[test]'
	@touch $@ $(VENV)/.run-installed

$(VENV)/.bench-installed: pyproject.toml | $(VENV)/bin/python
	$(PIP) install -e '.[test,bench]'
	@touch $@ $(VENV)/.test-installed $(VENV)/.run-installed

clean:
	rm -rf $(VENV) build dist .pytest_cache .mypy_cache .ruff_cache
