# simad-sync — the two commands a new user needs are `make demo` and `make test`.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: install test test-lowest wheel-check bundle lint fmt demo bench screens clean

install: $(STAMP)

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

test: install
	$(BIN)/python -m pytest

# The suite once more against the lowest versions pyproject.toml allows (uv's lowest-direct: each
# direct dependency at its floor), in its own venv. The browser tests are left out here (they
# run in `make test`): they check the pages, not the versions, and take half the time.
LOWEST := .venv-lowest

test-lowest: install
	rm -rf $(LOWEST)  # made anew: uv keeps an installed version that satisfies, even a higher one
	$(BIN)/uv venv --quiet --python $(BIN)/python $(LOWEST)
	VIRTUAL_ENV=$(CURDIR)/$(LOWEST) $(BIN)/uv pip install --quiet --resolution lowest-direct -e '.[dev]'
	SIMAD_CHROMIUM=/nonexistent $(LOWEST)/bin/python -m pytest -p no:cacheprovider \
		--ignore-glob='tests/test_*browser*.py'

# The wheel as a user gets it: built from a clean copy, installed (not editable) into a fresh
# venv, and `simad --version`, template, validate, submit (sandbox) and ui run from an empty folder.
wheel-check: install
	$(BIN)/python scripts/wheel_check.py

# dist/simad-offline-win64-py3{11,12,13}.zip: the offline install kits for Windows (needs PyPI).
bundle: install
	$(BIN)/python scripts/bundle.py

lint: install
	$(BIN)/ruff check pipeline schemas tests bench scripts
	$(BIN)/ruff format --check pipeline schemas tests bench scripts
	$(BIN)/mypy

fmt: install
	$(BIN)/ruff check --fix pipeline schemas tests bench scripts
	$(BIN)/ruff format pipeline schemas tests bench scripts

# The demo keeps its state (ledger, sandbox database, logs) in out/demo-home, so running it a
# second time shows the differential re-run: every accepted row is reported `unchanged`.
DEMO_HOME ?= $(CURDIR)/out/demo-home

demo: install
	@mkdir -p out
	@status=0; SIMAD_HOME=$(DEMO_HOME) SIMAD_TARGET=sandbox $(BIN)/simad submit \
		input_templates/sample.xlsx --report $(CURDIR)/out/demo-report.xlsx || status=$$?; \
	test $$status -le 1

bench: install
	$(BIN)/python -m bench $(BENCH)

# Every workbook the tool writes, rendered to PNG in out/screens/ (needs LibreOffice), and every
# page of `simad ui` at 1366×768 and 1024×768 with its axe-core WCAG 2.1 A/AA violation count.
screens: install
	$(BIN)/python scripts/screens.py

clean:
	rm -rf $(VENV) $(LOWEST) build dist *.egg-info .pytest_cache .ruff_cache
