# Every target bootstraps .venv itself, so a fresh clone needs only `make demo` or `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: demo test check openapi docs chromium clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $(STAMP)

demo: $(STAMP)
	$(BIN)/samtykke demo

# The browser tests drive Debian's Chromium; install it when it is missing.
chromium:
	@command -v chromium >/dev/null 2>&1 || { \
	  SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	  $$SUDO apt-get update -qq && $$SUDO apt-get install -y -qq chromium >/dev/null; }

check: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy
	$(BIN)/lint-imports

# Runs every test on SQLite and on PostgreSQL when it answers (required when CI=true).
test: $(STAMP) chromium check
	$(BIN)/python -m pytest

openapi: $(STAMP)
	$(BIN)/samtykke openapi write
	$(BIN)/python -m mock_registries openapi write

# The README's configuration table is generated from gateway.settings.Settings.
docs: $(STAMP)
	$(BIN)/samtykke config table --write README.md

clean:
	rm -rf $(VENV) var .mypy_cache .ruff_cache .pytest_cache
