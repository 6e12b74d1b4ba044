# Nabo: `make run` runs the bot (without BOT_TOKEN: the sandbox), `make test` runs the tests.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

# Settings for `make run` may live in .env (see .env.example); never commit it.
ifneq (,$(wildcard .env))
include .env
export
endif

.PHONY: run test test-dates lint format catalogs compile-catalogs bench clean

$(STAMP): pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "Nabo needs Python 3.11 or newer (set PYTHON=...)")'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -e '.[test]'
	@touch $(STAMP)

run: $(STAMP)
	$(BIN)/python -m bot

test: $(STAMP)
	$(BIN)/python -m pytest

# The suite at the instants a calendar gets wrong (Viborg's wall clock in brackets):
# a Monday afternoon (16:00), the spring night just before 02:00 jumps to 03:00 (01:30),
# the autumn night's first 02:30 (it happens twice), New Year's Eve (23:59) and a leap day.
TEST_DATES := 2030-03-04T15:00:00Z 2030-03-31T00:30:00Z 2030-10-27T00:30:00Z \
	2030-12-31T22:59:00Z 2032-02-29T09:00:00Z
test-dates: $(STAMP)
	@set -e; for now in $(TEST_DATES); do \
		echo "== NABO_TEST_NOW=$$now"; NABO_TEST_NOW=$$now $(BIN)/python -m pytest; \
	done

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy
	$(BIN)/lint-imports

format: $(STAMP)
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

# For translators and developers: refresh the template and merge it into da/ar/en.
catalogs: $(STAMP)
	$(BIN)/pybabel extract -F pyproject.toml --no-location --sort-output --omit-header \
		-c TRANSLATORS: -o locales/messages.pot bot handlers
	$(BIN)/pybabel update -i locales/messages.pot -d locales -D messages \
		--ignore-obsolete --width 80

# Optional: compiled .mo files load faster; without them Nabo reads the .po files.
compile-catalogs: $(STAMP)
	$(BIN)/pybabel compile -d locales -D messages --statistics

# Every bench/*.py in turn, then one table of all their figures (see bench/README.md).
# QUICK=1 shortens the slow ones.
bench: $(STAMP)
	$(BIN)/python -m bench $(if $(QUICK),--quick)

clean:
	rm -rf $(VENV) locales/*/LC_MESSAGES/*.mo
