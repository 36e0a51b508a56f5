# ExoSafe: `make run` serves the app on 127.0.0.1:8000 with its background worker; `make test` runs the whole suite.
# Both create .venv, install the pinned requirements, migrate, and load the checklist and demo data.

PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
INSTALLED := $(VENV)/.installed

BROWSER_TOOLS := tests/browser/node_modules/.installed

.PHONY: run test test-postgres setup system-check browser-check lint typecheck format bench bench-postgres clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

$(INSTALLED): requirements.txt requirements-dev.txt | $(BIN)/python
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements-dev.txt
	touch $@

system-check:
	@scripts/check_system_packages.sh

browser-check:
	@scripts/ensure_browser_tools.sh

$(BROWSER_TOOLS): tests/browser/package.json tests/browser/package-lock.json
	npm ci --prefix tests/browser --no-audit --no-fund --loglevel=error
	touch $@

setup: system-check $(INSTALLED)
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python manage.py load_checklist
	$(BIN)/python manage.py seed_demo

# The server and the background worker (signed PDFs) together; stopping one stops both.
# This computer only by default; `make run ADDRESS=0.0.0.0:8000` for phones on the same network.
ADDRESS ?= 127.0.0.1:8000
run: setup
	scripts/run_with_worker.sh $(BIN)/python $(ADDRESS)

lint: $(INSTALLED)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck: $(INSTALLED)
	$(BIN)/mypy

format: $(INSTALLED)
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

test: setup lint typecheck browser-check $(BROWSER_TOOLS)
	$(BIN)/python manage.py check --fail-level WARNING
	$(BIN)/python manage.py makemigrations --check --dry-run
	$(BIN)/python -m pytest -n 2 --dist worksteal

# The whole suite again on a throwaway PostgreSQL server (the production database), as CI does.
test-postgres:
	scripts/with_postgres.sh $(MAKE) test

# Benchmarks, not part of `make test` (several minutes): one table, also written to docs/performance.md.
bench: system-check $(INSTALLED)
	@bash benchmarks/ensure_wrk.sh
	$(BIN)/python -m benchmarks

# Only part 7 (a step page while signings run) on a throwaway PostgreSQL server; `make bench` runs it too.
bench-postgres: system-check $(INSTALLED)
	scripts/with_postgres.sh $(BIN)/python -m benchmarks --postgres

clean:
	rm -rf $(VENV) .demo-secret-key staticfiles .pytest_cache .hypothesis artifacts tests/browser/node_modules
