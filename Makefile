# simad-sync — the two commands a new user needs are `make demo` and `make test`.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: install test lint fmt demo bench clean

install: $(STAMP)

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

test: install
	$(BIN)/python -m pytest

lint: install
	$(BIN)/ruff check pipeline schemas tests
	$(BIN)/ruff format --check pipeline schemas tests

fmt: install
	$(BIN)/ruff check --fix pipeline schemas tests
	$(BIN)/ruff format pipeline schemas tests

demo: install
	@echo "Demo against the embedded sandbox (no real server is contacted)"
	$(BIN)/simad sandbox demo

bench: install
	$(BIN)/python -m pipeline.bench $(BENCH)

clean:
	rm -rf $(VENV) build *.egg-info .pytest_cache .ruff_cache
