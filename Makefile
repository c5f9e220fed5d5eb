# cstool — set-up and routine tasks. `make demo` and `make test` work on a fresh machine.
PYTHON ?= python3
VENV   ?= .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed
DEMO   := demo

.PHONY: demo test lint bench bench-clean clean fixtures corpus fuzz snapshot messages

$(PY):
	$(PYTHON) -m venv $(VENV)

# Reinstall when the package metadata changes (the install is editable).
$(STAMP): $(PY) setup.cfg pyproject.toml
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[test,web]'
	touch $(STAMP)

demo: $(STAMP)
	PATH="$(CURDIR)/$(VENV)/bin:$$PATH" DEMO_DIR="$(DEMO)" sh scripts/demo.sh

test: $(STAMP)
	$(PY) -m pytest

lint: $(STAMP)
	$(VENV)/bin/ruff check cstool migrations tests bench scripts fixtures
	$(VENV)/bin/lint-imports

# Every figure with its target and anchor (docs/benchmarks.md). Options in BENCH_ARGS:
# --only NAME, --rows N, --scale 1m,3m, --backlog N, --pairs N, --runs N, --rebuild.
# Generated data is cached in bench/data/ (several GB at full size): bench-clean drops it.
bench: $(STAMP)
	$(PY) bench/run.py $(BENCH_ARGS)

bench-clean:
	rm -rf bench/data

fixtures: $(STAMP)
	$(PY) fixtures/make_fixtures.py

# Property-based fuzzing of the importer, the remark parser, the receipt reader and the
# policy setter: 150 s each, 10 minutes in all (make test runs a few seconds of it).
fuzz: $(STAMP)
	FUZZ_SECONDS=$${FUZZ_SECONDS:-150} $(PY) -m pytest tests/test_fuzz.py -q

# What every command prints on the demo journal (tests/test_snapshot.py compares it):
# regenerate only when a change of output is meant.
snapshot: $(STAMP)
	$(PY) tests/snapshot/make_snapshot.py

# The message catalogs (cstool/locale, docs/i18n.md): extract the msgids from the code,
# click and the help texts, update each language's .po, compile the .mo the package ships.
messages: $(STAMP)
	$(PY) scripts/messages.py

# The hostile-input corpus that tests/test_hostile.py runs (files and cases.json).
corpus: $(STAMP)
	$(PY) tests/hostile/make_corpus.py

clean:
	rm -rf $(DEMO) bench/data
