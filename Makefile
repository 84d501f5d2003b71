# make run   - set up a virtualenv and serve the app on http://127.0.0.1:8050 with the bundled data
# make test  - set up everything (incl. Debian's Chromium for the browser tests) and run every test
# make serve - production start: gunicorn with gunicorn.conf.py (HOST, PORT, WEB_CONCURRENCY)
# make load  - load test: 100 simulated analysts against a gunicorn started on a free loopback port (USERS=300)
# make bench - the app against two plotly peers in headless Chromium (see docs/bench.md); ARGS="--rounds 3"
# make worker - a Celery worker for the exports and imports (RAQQA_CELERY_BROKER=redis://...; see docs/jobs.md)
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
PORT   ?= 8050
USERS  ?= 100

.PHONY: setup setup-dev chromium axe redis worker run serve load test test-fast lint validate basemap data bench clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

$(VENV)/.runtime: requirements.txt | $(BIN)/python
	$(BIN)/pip install --quiet -r requirements.txt
	touch $@

$(VENV)/.dev: requirements.txt requirements-dev.txt | $(BIN)/python
	$(BIN)/pip install --quiet -r requirements-dev.txt
	touch $@ $(VENV)/.runtime

setup: $(VENV)/.runtime
setup-dev: $(VENV)/.dev

# Browser tests drive Debian's Chromium; Playwright never downloads a browser here.
chromium:
	@test -x /usr/bin/chromium || (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium)

# axe-core for the accessibility tests (tests/browser/test_access.py), from npm; never loaded by the app.
AXE_VERSION := 4.10.3
axe:
	@command -v npm >/dev/null || (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq npm)
	@grep -qs "axe v$(AXE_VERSION)" tests/.npm/node_modules/axe-core/axe.min.js || \
		npm install --no-save --no-audit --no-fund --prefix tests/.npm axe-core@$(AXE_VERSION)

# The Celery test runs Debian's redis-server on a loopback port, as the browser tests run Debian's Chromium.
redis:
	@test -x /usr/bin/redis-server || (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq redis-server)

worker: setup
	$(BIN)/celery -A app.celery_app worker --loglevel info

run: setup
	RAQQA_WARM_EXPORTS=1 PORT=$(PORT) $(BIN)/python app.py

serve: setup
	RAQQA_WARM_EXPORTS=1 PORT=$(PORT) $(BIN)/gunicorn app:server

load: setup-dev
	$(BIN)/python bench/load.py --serve --users $(USERS) --duration 60

validate: setup
	$(BIN)/python -m layers validate geodata/

test: setup-dev chromium axe redis lint
	$(BIN)/python -m layers validate geodata/
	$(BIN)/python -m pytest

lint: setup-dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

# Rebuild the bundled data (needs pip/npm registry access and ../shared/research); the output is committed.
basemap: setup
	$(BIN)/python geodata/build_basemap.py

data: setup
	$(BIN)/python tools/import_research.py --research ../shared/research
	$(BIN)/python -m layers validate geodata/

test-fast: setup-dev
	$(BIN)/python -m pytest -m "not browser"

bench: setup-dev chromium
	$(BIN)/python bench/run.py $(ARGS)

clean:
	rm -rf $(VENV) .pytest_cache .hypothesis
