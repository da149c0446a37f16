# simad-sync — the two commands a new user needs are `make demo` and `make test`.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: install test lint fmt demo bench screens clean

install: $(STAMP)

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

test: install
	$(BIN)/python -m pytest

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
	rm -rf $(VENV) build *.egg-info .pytest_cache .ruff_cache
