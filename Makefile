# Peta Rawan — the two commands: `make run` and `make test`. Both set up .venv on first use.
PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed

HOST     ?= 127.0.0.1
PORT     ?= 8000
APP_PORT ?= 8550

.PHONY: run test lint bench setup system-deps clean web-offline

setup: $(STAMP)

$(STAMP): requirements.lock pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements.lock
	$(PY) -m pip install --quiet --disable-pip-version-check --no-deps --no-build-isolation -e .
	touch $(STAMP)

# Debian packages the tests need (browser, PDF, SMS gateway, PostgreSQL). `make test` runs it first:
# a quick no-op when they are there; as root it installs them, otherwise it says the command to run.
system-deps:
	PYTHON=$(PYTHON) sh scripts/system-deps.sh

# `exec`: make's SIGTERM reaches run_all.py itself, which stops the server and the app (and stops
# them too if make dies: PETA_STOP_WITH_PARENT).
run: $(STAMP)
	PETA_HOST=$(HOST) PETA_PORT=$(PORT) PETA_APP_PORT=$(APP_PORT) PETA_STOP_WITH_PARENT=1 \
	    exec $(PY) scripts/run_all.py

test: system-deps $(STAMP)
	$(PY) -m pytest

lint: $(STAMP)
	$(PY) -m ruff check kerawanan sync_server field_app tests bench scripts

# The timing goals and the long runs (see docs/benchmarks.md and docs/reliability.md).
bench: $(STAMP)
	$(PY) bench/core.py
	$(PY) bench/app.py
	$(PY) bench/timing.py
	$(PY) bench/ingest.py
	$(PY) bench/alerts.py
	$(PY) bench/alerts_against.py
	$(PY) bench/faults.py --trials 200 --seed 1
	$(PY) bench/faults.py --profile 2g
	PYTHON=$(PYTHON) sh bench/peers/setup.sh
	$(PY) bench/peers.py
	$(PY) bench/load.py

# The officer app as an installable offline web app, served by the sync server at /app/
# (build/web-offline/app; no network needed; see docs/web-offline.md).
web-offline: $(STAMP)
	$(PY) scripts/publish_web.py

clean:
	rm -rf $(VENV) var .pytest_cache
