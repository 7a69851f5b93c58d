# Every target bootstraps .venv itself, so a fresh clone needs only `make demo` or `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
# The whole resolved tree, exact versions with hashes: every install is the same (`make lock`).
LOCK := requirements-dev.lock
PIP_VERSION := 26.3
UV_VERSION := 0.13.8
# The bank client library is its own distribution; it is installed (not put on the path)
# the way a bank installs it, and installed again whenever its source changes.
CLIENT_SOURCES := client/pyproject.toml $(wildcard client/samtykke_client/*)
CLIENT_STAMP := $(VENV)/.client-installed

.PHONY: demo test check openapi docs chromium clean lock

$(STAMP): pyproject.toml $(LOCK)
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet pip==$(PIP_VERSION)
	$(BIN)/pip install --quiet --require-hashes -r $(LOCK)
	$(BIN)/pip install --quiet --no-deps -e .
	rm -rf client/build  # setuptools would package stale modules left there
	$(BIN)/pip install --quiet --no-deps --force-reinstall ./client
	$(BIN)/pip check
	touch $(STAMP) $(CLIENT_STAMP)

$(CLIENT_STAMP): $(STAMP) $(CLIENT_SOURCES)
	rm -rf client/build  # setuptools would package stale modules left there
	$(BIN)/pip install --quiet --no-deps --force-reinstall ./client
	touch $(CLIENT_STAMP)

# Resolve pyproject.toml's dependencies again (newest versions its pins allow) into the locks:
# requirements.lock for the image, requirements-dev.lock for development and CI.
lock:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet uv==$(UV_VERSION)
	$(BIN)/uv pip compile pyproject.toml --universal --python-version 3.11 --generate-hashes \
	  --quiet -o requirements.lock
	$(BIN)/uv pip compile pyproject.toml --extra dev --universal --python-version 3.11 \
	  --generate-hashes --quiet -o requirements-dev.lock

demo: $(CLIENT_STAMP)
	$(BIN)/samtykke demo

# The browser tests drive Debian's Chromium; install it when it is missing.
chromium:
	@command -v chromium >/dev/null 2>&1 || { \
	  SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	  $$SUDO apt-get update -qq && $$SUDO apt-get install -y -qq chromium >/dev/null; }

check: $(CLIENT_STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy
	$(BIN)/lint-imports

# Runs every test on SQLite and on PostgreSQL when it answers (required when CI=true).
test: $(CLIENT_STAMP) chromium check
	$(BIN)/python -m pytest

openapi: $(CLIENT_STAMP)
	$(BIN)/samtykke openapi write
	$(BIN)/python -m mock_registries openapi write

# The README's configuration table is generated from gateway.settings.Settings.
docs: $(CLIENT_STAMP)
	$(BIN)/samtykke config table --write README.md

clean:
	rm -rf $(VENV) var .mypy_cache .ruff_cache .pytest_cache
