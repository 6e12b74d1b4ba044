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

.PHONY: run test lint format catalogs compile-catalogs bench clean

$(STAMP): pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "Nabo needs Python 3.11 or newer (set PYTHON=...)")'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -e '.[test]'
	@touch $(STAMP)

run: $(STAMP)
	$(BIN)/python -m bot

test: $(STAMP)
	$(BIN)/python -m pytest

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

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
