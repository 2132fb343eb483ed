# Trafficking CMS (National Referral Mechanism) — developer tasks. GNU make.
#
#   make run      the embedded demo on http://127.0.0.1:8000/ (PORT=...; SQLite + filesystem broker,
#                 needs nothing but Python >= 3.12; honours DATABASE_URL / CELERY_BROKER_URL)
#   make test     the test suite on PostgreSQL + Redis (started here if they are down)
#   make test-fast  the same without the browser and Celery-worker tests, for the inner loop
#   make lint     ruff (lint + format check), mypy strict, import-linter's contracts
#   make check    missing migrations + Django's system checks
#   make messages regenerate and compile the Latvian translations
#   make compose-check   validate docker-compose.yml (no Docker engine needed)
#   make lock     recompile requirements.txt / requirements-dev.txt from the .in files
#   make backup   back up the database and the file directories (var/backups/<date-time>/)
#   make clean    remove var/ and staticfiles/
#
# Python: found by scripts/find-python.sh (python3.13/3.12 on PATH, then pyenv); or set PYTHON=.

SHELL := /bin/bash
.DEFAULT_GOAL := help

VENV := .venv
PY := $(VENV)/bin/python
MANAGE := $(PY) manage.py

PORT ?= 8000
export PORT
PYTEST_ARGS ?=

TEST_DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/trafficking_cms
TEST_BROKER_URL ?= redis://127.0.0.1:6379/0

# Only the demo gets a default password (>= 12 characters, passes the validators); exported
# so that load_demo and the printed logins agree.
run: export DEMO_PASSWORD ?= nrm-demo-2026!

.PHONY: help venv run test test-fast lint check messages compose-check clean sysdeps services lock backup

help:
	@sed -n '2,15s/^# \{0,1\}//p' $(firstword $(MAKEFILE_LIST))

venv:
	@scripts/ensure-venv.sh

run: venv
	@mkdir -p "$${VAR_DIR:-var}/broker/processed"
	$(MANAGE) migrate --noinput
	$(MANAGE) collectstatic --noinput -v0
	$(MANAGE) load_demo
	PY=$(PY) scripts/run.sh

# System packages for the browser tests (Chromium) and WeasyPrint; installed only as root.
sysdeps:
	@scripts/ensure-sysdeps.sh

# PostgreSQL and Redis, started when the URLs point at this machine and they are down.
services: venv
	@DATABASE_URL="$${DATABASE_URL:-$(TEST_DATABASE_URL)}" \
	 CELERY_BROKER_URL="$${CELERY_BROKER_URL:-$(TEST_BROKER_URL)}" \
	 PY=$(PY) scripts/ensure-services.sh

# One pass on parallel workers (pytest-xdist), each with its own test database (test_<name>_gw0,
# ...) and its own key prefix on the Redis database (conftest.py). `--dist loadgroup` keeps the
# browser tests together on one worker (one Chromium, one live server at a time), which runs them
# while the other worker takes the rest; so do the modules that share one demo (xdist_group).
# One pass creates each worker's test database once (a second, serial browser pass migrated a
# third one). Branch coverage is reported; the build fails when the layers that decide access and
# write data (every services.py, selectors.py, permissions.py) fall under COVERAGE_FLOOR per
# cent. (Exit status 5, "no tests collected", is no failure: PYTEST_ARGS may select none.)
TEST_WORKERS ?= 2
COVERAGE_FLOOR ?= 90
COVERAGE_FLOOR_FILES := */services.py,*/selectors.py,*/permissions.py
TEST_ENV = DATABASE_URL="$${DATABASE_URL:-$(TEST_DATABASE_URL)}" \
	CELERY_BROKER_URL="$${CELERY_BROKER_URL:-$(TEST_BROKER_URL)}" \
	DJANGO_ALLOW_ASYNC_UNSAFE=true

test: venv sysdeps services
	$(TEST_ENV) $(PY) -m pytest -n $(TEST_WORKERS) --dist loadgroup \
	    --cov --cov-report=term:skip-covered $(PYTEST_ARGS) || [ $$? -eq 5 ]
	$(PY) -m coverage report --include='$(COVERAGE_FLOOR_FILES)' --fail-under=$(COVERAGE_FLOOR)

# The inner loop: no browser, no real Celery worker, no coverage.
test-fast: venv services
	$(TEST_ENV) $(PY) -m pytest -n $(TEST_WORKERS) -m "not browser and not celery_worker" $(PYTEST_ARGS)

# The tools run as modules of the venv's Python (a copied venv's scripts keep the old path).
# mypy and import-linter read their configuration from pyproject.toml; mypy's Django plugin
# loads the settings, so it gets a database URL it never connects to.
lint: venv
	$(PY) -m ruff check .
	$(PY) -m ruff format --check .
	DATABASE_URL="$${DATABASE_URL:-$(TEST_DATABASE_URL)}" $(PY) -m mypy
	$(PY) -c 'import sys; from importlinter.cli import lint_imports_command; sys.exit(lint_imports_command())'

check: venv
	@mkdir -p "$${VAR_DIR:-var}"
	$(MANAGE) makemigrations --check --dry-run
	$(MANAGE) check

messages: venv
	$(MANAGE) makemessages -l lv --ignore=.venv --ignore=staticfiles --ignore=var
	$(MANAGE) compilemessages --ignore=.venv

# The secrets are required by the compose file (${VAR:?}); dummies are enough to validate it.
compose-check:
	DJANGO_SECRET_KEY="$${DJANGO_SECRET_KEY:-compose-check-only}" \
	POSTGRES_PASSWORD="$${POSTGRES_PASSWORD:-compose-check-only}" \
	EMAIL_HOST="$${EMAIL_HOST:-smtp.invalid}" \
	DOCUMENTS_KEYS="$${DOCUMENTS_KEYS:-compose-check-only}" \
	MINIO_ROOT_PASSWORD="$${MINIO_ROOT_PASSWORD:-compose-check-only}" \
	docker-compose -f docker-compose.yml config -q

# pip-tools compiles the locks; the sed drops index options a local pip configuration adds.
lock: venv
	$(PY) -m pip install -q pip-tools==7.6.2
	$(PY) -m piptools compile -q --strip-extras --no-header --allow-unsafe -o requirements.txt requirements.in
	$(PY) -m piptools compile -q --strip-extras --no-header --allow-unsafe -o requirements-dev.txt requirements-dev.in
	sed -i '/^--extra-index-url\|^--find-links/d' requirements.txt requirements-dev.txt

# pg_dump of DATABASE_URL plus every file directory; restore: manage.py restore DIR (README).
backup: venv
	$(MANAGE) backup $(if $(BACKUP_DIR),--to $(BACKUP_DIR))

clean:
	rm -rf var staticfiles
