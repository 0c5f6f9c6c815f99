# Two commands on a fresh machine: `make demo` and `make test`.
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
DEMO_CONFIG := examples/demo/newsletter.toml
DEMO_DATE := 2026-02-07
#: The scripts under bench/ that measure (the others are their helpers).
BENCHES := $(filter-out bench/history.py bench/moto_server.py bench/ses_stub.py bench/sqs_stub.py bench/stub_http.py bench/loopback_feeds.py,$(wildcard bench/*.py))

.PHONY: venv demo test test-fast lint format bench bench-compare clean-demo

$(STAMP): pyproject.toml
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -e '.[dev]'
	@touch $(STAMP)

venv: $(STAMP)

## Run the whole daily job offline on the bundled demo (no network, no AWS account).
demo: $(STAMP)
	@VENV=$(VENV) DEMO_DATE=$(DEMO_DATE) bash examples/demo/run.sh

## Lint, then the whole test suite.
test: $(STAMP) lint
	$(PY) -m pytest

## Lint, then every test but the slow ones (subprocess end-to-end runs, Chromium).
test-fast: $(STAMP) lint
	$(PY) -m pytest -m "not slow"

lint: $(STAMP)
	$(VENV)/bin/ruff check newsletter tests bench
	$(VENV)/bin/ruff format --check newsletter tests bench
	$(VENV)/bin/mypy

format: $(STAMP)
	$(VENV)/bin/ruff check --fix newsletter tests bench
	$(VENV)/bin/ruff format newsletter tests bench

## Every bench (each appends to bench/results/history.jsonl), then the last two runs side by side.
bench: $(STAMP)
	@for script in $(BENCHES); do echo "== $$script"; $(PY) $$script || exit 1; done
	@$(PY) bench/history.py

## The last two runs of each bench side by side (BENCH=render for one).
bench-compare: $(STAMP)
	@$(PY) bench/history.py $(if $(BENCH),--bench $(BENCH))

clean-demo:
	rm -rf examples/demo/data
