# The two commands of the project: `make run` and `make test` (see README.md).
PYTHON ?= python3
VENV ?= .venv
PORT ?= 5000
BIN := $(VENV)/bin
FLASK := $(BIN)/flask --app coworking

.PHONY: run test lint format serve bench translations clean

$(BIN)/python:
	@$(PYTHON) -c 'import sys; sys.exit("Python 3.11 or newer is needed (found %s)" % sys.version.split()[0]) if sys.version_info < (3, 11) else None'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.installed: $(BIN)/python pyproject.toml
	$(BIN)/python -m pip install --quiet -e .
	@touch $@

$(VENV)/.installed-test: $(BIN)/python pyproject.toml
	$(BIN)/python -m pip install --quiet -e '.[test]'
	@touch $@ $(VENV)/.installed

run: $(VENV)/.installed
	$(FLASK) db upgrade
	$(FLASK) first-run
	$(FLASK) run --host 127.0.0.1 --port $(PORT)

test: $(VENV)/.installed-test
	$(BIN)/python -m pytest $(PYTEST_ARGS)

lint: $(VENV)/.installed-test
	$(BIN)/ruff check coworking tests benchmarks
	$(BIN)/ruff format --check coworking tests benchmarks
	$(BIN)/mypy

format: $(VENV)/.installed-test
	$(BIN)/ruff check --fix coworking tests benchmarks
	$(BIN)/ruff format coworking tests benchmarks

# Production-style serving: set COWORKING_DATABASE_URL (PostgreSQL) and COWORKING_SECRET_KEY first.
serve: $(VENV)/.installed
	$(FLASK) db upgrade
	$(BIN)/gunicorn --workers $${WORKERS:-2} --bind 127.0.0.1:$(PORT) coworking.wsgi:app

bench: $(VENV)/.installed-test
	$(BIN)/python benchmarks/run.py $(BENCH_ARGS)

# Extract the French source strings and update the English catalogue (then edit and compile).
translations: $(VENV)/.installed
	$(BIN)/pybabel extract -F babel.cfg -k _l -o coworking/translations/messages.pot .
	$(BIN)/pybabel update -i coworking/translations/messages.pot -d coworking/translations -l en
	$(BIN)/pybabel compile -d coworking/translations

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache
