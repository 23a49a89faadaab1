# Everything installs into .venv from the lock file; only python3 (>= 3.11) is assumed.
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
HOST   ?= 127.0.0.1
PORT   ?= 8000

AXE_VERSION ?= 4.14.1
AXE := .cache/axe-core/node_modules/axe-core/axe.min.js

.PHONY: install install-runtime browser-deps serve test lint format bench eval-seeds eval-articles lock clean

# Two stamps in one venv: serving needs only the runtime pins (scripts/runtime_requirements.py derives them
# from the lock, as the image does); test, lint and the other developer targets add the dev pins on top.
$(VENV)/.runtime: requirements.lock pyproject.toml scripts/runtime_requirements.py
	$(PYTHON) -c 'import sys; assert sys.version_info >= (3, 11), "Python 3.11+ is required"'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python scripts/runtime_requirements.py requirements.lock > $(VENV)/runtime-requirements.txt
	$(BIN)/python -m pip install --quiet -r $(VENV)/runtime-requirements.txt
	$(BIN)/python -m pip install --quiet --no-deps -e .
	touch $@

$(VENV)/.installed: $(VENV)/.runtime
	$(BIN)/python -m pip install --quiet -r requirements.lock
	touch $@

install-runtime: $(VENV)/.runtime  ## what `make serve` needs: the runtime pins and the package

install: $(VENV)/.installed  ## the runtime plus the dev tools (tests, lint, benchmarks)

serve: install-runtime  ## migrate, load seeds/, serve the API on $(HOST):$(PORT)
	$(BIN)/aikb serve --host $(HOST) --port $(PORT)

# The browser tests (tests/ui/test_browser.py) drive Debian's Chromium (apt, as root) and check accessibility
# with axe-core (npm, into .cache/; never shipped). Installed where missing; without them those tests skip
# (and fail in CI).
browser-deps:
	@command -v chromium >/dev/null || { \
	  if [ "$$(id -u)" = 0 ]; then \
	    apt-get install -y -q --no-install-recommends chromium >/dev/null \
	      || { apt-get update -q >/dev/null && apt-get install -y -q --no-install-recommends chromium >/dev/null; } \
	      || echo "could not install chromium: the browser tests will skip"; \
	  else echo "chromium is missing and installing it needs root: the browser tests will skip"; fi; }
	@test -f $(AXE) || npm install --prefix .cache/axe-core --no-save --no-audit --no-fund --silent \
	  axe-core@$(AXE_VERSION) || echo "could not install axe-core (npm): the accessibility test will skip"

test: install browser-deps  ## the whole suite, on SQLite and (when reachable; always in CI) PostgreSQL
	$(BIN)/python -m pytest

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy
	$(BIN)/hadolint Dockerfile

format: install
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

bench: install
	$(BIN)/python bench/ingest_bench.py

eval-seeds: install  ## score the seed articles with the referee (eval/score.py; throwaway SQLite database)
	$(BIN)/python eval/score.py seeds

GOLD ?= eval/devset/gold
eval-articles: install  ## score fetched articles: make eval-articles DIR=folder GOLD=eval/devset/gold
	@test -n "$(DIR)" || { echo "usage: make eval-articles DIR=folder-with-sources.json [GOLD=eval/devset/gold]"; exit 2; }
	$(BIN)/python eval/score.py articles "$(DIR)" --gold "$(GOLD)"

lock:  ## re-resolve requirements.lock from pyproject.toml
	$(BIN)/python -m pip install --quiet uv
	$(BIN)/uv pip compile pyproject.toml --extra dev -o requirements.lock --python-version 3.11

clean:
	rm -rf $(VENV) data .cache .pytest_cache .mypy_cache .ruff_cache
