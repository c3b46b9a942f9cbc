# AI Landscape KG. Quick start: `make serve` (http://127.0.0.1:8000), `make test`.
PYTHON ?= python3
VENV   ?= .venv
PY     := $(VENV)/bin/python
HOST   ?= 127.0.0.1
PORT   ?= 8000
STAMP  := $(VENV)/.installed

.PHONY: serve test lint format install clean browser virtuoso bench

$(PY):
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip

$(STAMP): $(PY) pyproject.toml
	$(PY) -m pip install --quiet -e '.[test]'
	touch $(STAMP)

install: $(STAMP)

serve: $(STAMP)
	$(VENV)/bin/kg serve --host $(HOST) --port $(PORT)

# Debian's chromium for the page tests (Playwright's own browser download cannot work offline).
browser:
	@command -v chromium >/dev/null 2>&1 || { \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	    (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null) \
	    || echo "chromium could not be installed: page tests will be skipped"; \
	  else echo "chromium not found and cannot install it here: page tests will be skipped"; fi; }

# Debian's Virtuoso for the remote-engine tests' second engine (tests/test_remote.py starts
# virtuoso-t itself). Its apt-get install ran 6 s on this machine (/var/log/apt/history.log,
# start to end of the install step; the download before it and apt-get update not included).
virtuoso:
	@command -v virtuoso-t >/dev/null 2>&1 || { \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	    (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq virtuoso-opensource >/dev/null) \
	    || echo "virtuoso-opensource could not be installed: the Virtuoso remote-engine tests will be skipped"; \
	  else echo "virtuoso-t not found and cannot install it here: the Virtuoso remote-engine tests will be skipped"; fi; }

# The page tests need Debian chromium and the remote-engine tests Debian's Virtuoso: `make test`
# installs them first where it can (root + apt-get), so a fresh machine runs them instead of
# skipping them.
test: $(STAMP) browser virtuoso
	$(PY) -m pytest

lint: $(STAMP)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

format: $(STAMP)
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

clean:
	rm -rf $(VENV) .pytest_cache build dist *.egg-info

# Benchmark against Oxigraph server, Virtuoso and rdflib-endpoint with ../shared/bench (run in
# place). Virtuoso is optional: apt-get install virtuoso-opensource (about 10 minutes).
BENCH_VENV := .venv-bench
BENCH_ARGS ?=

$(BENCH_VENV)/.installed:
	$(PYTHON) -m venv $(BENCH_VENV)
	$(BENCH_VENV)/bin/pip install --quiet oxigraph pyoxigraph rdflib 'rdflib-endpoint[cli]' oxrdflib httpx psutil
	touch $@

# wrk (C) drives the REST load: a Python client saturates long before the server does. Checked on
# every run, not once with the venv: a machine set up again keeps the venv but not the package.
bench: $(STAMP) $(BENCH_VENV)/.installed
	@command -v wrk >/dev/null 2>&1 || { [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1 && \
	  { DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk >/dev/null 2>&1 || \
	    { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk >/dev/null; }; }; } || \
	  echo "wrk not installed (apt-get install wrk): the REST load figures will be skipped"
	$(PY) scripts/bench.py $(BENCH_ARGS)
