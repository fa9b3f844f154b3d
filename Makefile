# Tradelane: `make run` serves the API with GraphiQL; `make test` runs the tests. Both install first.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run test check bench bench-sim schema install clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip==26.3
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)

run: $(STAMP)
	$(BIN)/tradelane demo

test: $(STAMP)
	$(BIN)/pytest

check: $(STAMP)
	$(BIN)/ruff check api domain simulator tests bench alembic
	$(BIN)/ruff format --check api domain simulator tests bench alembic
	$(BIN)/mypy
	$(BIN)/tradelane db check
	$(BIN)/tradelane schema check

schema: $(STAMP)
	$(BIN)/tradelane schema print > schema.graphql

bench: $(STAMP)
	$(BIN)/python -m bench.orders_page

bench-sim: $(STAMP)
	$(BIN)/python -m bench.season

clean:
	rm -rf $(VENV) .tradelane .pytest_cache .mypy_cache .ruff_cache
