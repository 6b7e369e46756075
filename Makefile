# Two commands for a newcomer:  `make run`  and  `make test`  (see README.md).
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: run test lint messages clean

$(BIN)/python:
	@$(PYTHON) -m venv $(VENV) 2>/dev/null || { scripts/system-packages.sh venv && $(PYTHON) -m venv $(VENV); }
	@$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.run-installed: requirements.txt | $(BIN)/python
	$(BIN)/pip install --quiet -r requirements.txt
	@touch $@

$(VENV)/.dev-installed: requirements.txt requirements-mysql.txt requirements-dev.txt | $(BIN)/python
	scripts/system-packages.sh mysql
	$(BIN)/pip install --quiet -r requirements-dev.txt
	@touch $@

## Start the product on the embedded SQLite database with demo data.
run: $(VENV)/.run-installed
	DEBUG=true $(BIN)/python manage.py migrate --verbosity 0
	DEBUG=true $(BIN)/python manage.py demo_data --if-empty
	@echo ""
	@echo "  Sign in at http://$(HOST):$(PORT)/login/   (Ctrl+C stops the server)"
	@echo ""
	DEBUG=true $(BIN)/python manage.py runserver $(HOST):$(PORT)

## Run the test suite (SQLite unless DATABASE_URL points at MySQL/MariaDB).
test: $(VENV)/.dev-installed
	$(BIN)/python -m pytest

lint: $(VENV)/.dev-installed
	$(BIN)/ruff check .

## Refresh the French catalogue after changing strings, then compile it.
messages: $(VENV)/.run-installed
	DEBUG=true $(BIN)/python manage.py makemessages -l fr --ignore=.venv --ignore=var --ignore=artifacts --no-obsolete --no-location
	DEBUG=true $(BIN)/python manage.py compilemessages --ignore=.venv

clean:
	rm -rf var staticfiles
