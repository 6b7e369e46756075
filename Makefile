# Two commands for a newcomer:  `make run`  and  `make test`  (see README.md).
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: run worker test test-quick lint messages clean

# `make test` runs everything: a missing MariaDB server, Chromium, ClamAV
# daemon or Redis server is an error, not a skip (override with
# REQUIRE_MYSQL=0 / REQUIRE_BROWSER=0 / REQUIRE_CLAMAV=0 / REQUIRE_REDIS=0).
test: export REQUIRE_MYSQL ?= 1
test: export REQUIRE_BROWSER ?= 1
test: export REQUIRE_CLAMAV ?= 1
test: export REQUIRE_REDIS ?= 1
# The quick loop: in-memory SQLite, no browser; tests marked mysql are
# reported as skipped, the browser tests as deselected.
test-quick: export DATABASE_URL = sqlite://:memory:
test-quick: export REQUIRE_MYSQL = 0
# System packages the tests need beyond the MySQL driver's build: the MariaDB
# server (unless DATABASE_URL names a database), Chromium, ClamAV's daemon and
# Redis, when required.
TEST_PACKAGES = $(if $(DATABASE_URL),,$(if $(filter 1,$(REQUIRE_MYSQL)),mariadb)) $(if $(filter 1,$(REQUIRE_BROWSER)),browser) $(if $(filter 1,$(REQUIRE_CLAMAV)),clamav) $(if $(filter 1,$(REQUIRE_REDIS)),redis)
# Extra pytest arguments, e.g.  make test PYTEST_ARGS="-x -k purge"
PYTEST_ARGS ?=

$(BIN)/python:
	@$(PYTHON) -m venv $(VENV) 2>/dev/null || { scripts/system-packages.sh venv && $(PYTHON) -m venv $(VENV); }
	@$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.run-installed: requirements.txt | $(BIN)/python
	$(BIN)/pip install --quiet -r requirements.txt
	@touch $@

$(VENV)/.dev-installed: requirements.txt requirements-mysql.txt requirements-dev.txt | $(BIN)/python
	scripts/system-packages.sh mysql $(TEST_PACKAGES)
	$(BIN)/pip install --quiet -r requirements-dev.txt
	@touch $@

## Start the product on the embedded SQLite database with demo data.
run: $(VENV)/.run-installed
	DEBUG=true $(BIN)/python manage.py migrate --verbosity 0
	DEBUG=true $(BIN)/python manage.py demo_data --if-empty
	@echo ""
	@echo "  Sign in at http://$(HOST):$(PORT)/login/   (Ctrl+C stops the server and the worker)"
	@echo "  The worker sends e-mails and reminders; in this demo they are printed here."
	@echo ""
	@# The task worker beside the web server, both in this process group, so
	@# Ctrl+C stops both; when the server stops, the worker is stopped too.
	DEBUG=true $(BIN)/python manage.py worker --every 60 & worker=$$!; \
	DEBUG=true $(BIN)/python manage.py runserver $(HOST):$(PORT); status=$$?; \
	kill $$worker 2>/dev/null; wait $$worker; exit $$status

## Run only the task worker (e-mail, file deletions, reminders), e.g. beside a server started otherwise.
worker: $(VENV)/.run-installed
	DEBUG=true $(BIN)/python manage.py worker

## Run the whole suite: on a throwaway MariaDB the run starts and removes
## itself (unless DATABASE_URL is set), with the browser tests in Chromium.
test: $(VENV)/.dev-installed
	@scripts/system-packages.sh $(TEST_PACKAGES)
	$(BIN)/python -m pytest $(PYTEST_ARGS)

## Quick loop on SQLite without the browser tests (PYTEST_ARGS='-m browser' brings them back).
test-quick: $(VENV)/.dev-installed
	$(BIN)/python -m pytest -m "not browser" $(PYTEST_ARGS)

lint: $(VENV)/.dev-installed
	$(BIN)/ruff check .
	$(BIN)/mypy

## Refresh the French catalogue after changing strings, then compile it.
messages: $(VENV)/.run-installed
	DEBUG=true $(BIN)/python manage.py makemessages -l fr --ignore=.venv --ignore=var --ignore=artifacts --no-obsolete --no-location
	DEBUG=true $(BIN)/python manage.py compilemessages --ignore=.venv

clean:
	rm -rf var staticfiles
