# The same targets run locally and in CI (.ci/run calls `make test`).
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV ?= .venv
PY := $(VENV)/bin/python
DATA ?= data

.PHONY: serve install browser test lint format bench clean

# Main job: environment, demo corpus ingested into $(DATA) (idempotent: later starts find it
# unchanged), then the service on 127.0.0.1:8000 with the OpenAPI docs at /docs.
serve: install
	$(PY) -m api.cli ingest corpus/ --data $(DATA)
	$(PY) -m api.cli serve --data $(DATA)

install: $(VENV)/.installed

# torch is installed first on its own: its pinned CPU build must win over any CUDA build.
$(VENV)/.installed: pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet torch==2.13.0
	$(PY) -m pip install --quiet -e '.[dev]'
	touch $@

lint: install
	$(PY) -m ruff check .
	$(PY) -m ruff format --check .
	$(PY) -m mypy

format: install
	$(PY) -m ruff check --fix .
	$(PY) -m ruff format .

# The browser tests (tests/test_web.py) drive Debian's chromium through Playwright; Playwright's
# own browser download is never used.
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
browser:
	command -v chromium >/dev/null || ($(SUDO) apt-get update -q && $(SUDO) apt-get install -y -q chromium)

test: lint browser
	$(PY) -m pytest

bench: install
	$(PY) -m pip install --quiet -e '.[dev,bench]'
	$(PY) bench/extraction_eval.py
	$(PY) bench/extraction_eval.py --gold bench/gold/extraction_heldout.json
	$(PY) bench/ingest_bench.py
	$(PY) bench/retrieval_eval.py
	$(PY) bench/search_bench.py
	$(PY) bench/api_bench.py --fuzz 120
	$(PY) bench/hostile_bench.py

clean:
	rm -rf $(VENV) $(DATA) .pytest_cache .ruff_cache
