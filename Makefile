# Two commands do all the set-up on a fresh machine: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run test install lint format check-deploy fuzz browser bench bench-search clean

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)

.env:
	$(BIN)/python scripts/make_dev_env.py

## Serve the API and admin on SQLite at http://127.0.0.1:8000
run: $(STAMP) .env
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python manage.py runserver 127.0.0.1:8000

## Run the test suite (SQLite by default; DATABASE_URL=postgres://... for PostgreSQL)
test: $(STAMP)
	$(BIN)/python -m pytest

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: $(STAMP)
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

check-deploy: $(STAMP)
	DEBUG=false $(BIN)/python manage.py check --deploy --fail-level WARNING

## Fuzz the API against its OpenAPI document on a real gunicorn (about two minutes)
fuzz: $(STAMP)
	PYTHON=$(BIN)/python scripts/fuzz.sh

## The hot paths over HTTP against a bare Django floor (PostgreSQL, wrk; a few minutes).
## BEFORE=/path/to/checkout measures that checkout too, in the same run.
bench: $(STAMP)
	$(BIN)/python scripts/bench_http.py $(if $(BEFORE),--product-dir before=$(BEFORE)) $(BENCH_ARGS)

## Search benchmark at N profiles (HTTP under gunicorn vs pg_trgm; seeds the bench_search DB once)
N ?= 1000000
BENCH_SEARCH_DB ?= postgres://postgres@127.0.0.1:5432/bench_search
bench-search: $(STAMP)
	psql "$(dir $(BENCH_SEARCH_DB))postgres" -tAc "SELECT 1 FROM pg_database WHERE datname = '$(notdir $(BENCH_SEARCH_DB))'" | grep -q 1 \
	  || psql "$(dir $(BENCH_SEARCH_DB))postgres" -c "CREATE DATABASE $(notdir $(BENCH_SEARCH_DB))"
	DATABASE_URL=$(BENCH_SEARCH_DB) $(BIN)/python scripts/bench_search.py --n $(N) $(BENCH_ARGS)

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache
