# Two commands for a newcomer: `make serve` and `make test`. Both set up .venv first.
PY      ?= python3
VENV    := .venv
BIN     := $(VENV)/bin
# No GPU: the CPU wheel (on this project's machines it lies on local disk; elsewhere set TORCH_SPEC,
# e.g. TORCH_SPEC="torch --index-url https://download.pytorch.org/whl/cpu").
# GPU (nvidia-smi works): the project's own range, so pip picks a CUDA build.
TORCH_SPEC ?= $(shell nvidia-smi >/dev/null 2>&1 && echo "torch>=2.5,<3" || echo "torch==2.13.0")
STAMP   := $(VENV)/.installed
ADDR    ?= 127.0.0.1:8000

.PHONY: setup chromium serve test test-fast lint build regen clean mutate mutate-fast

setup: $(STAMP) chromium

# The browser test (tests/site/test_browser.py) drives Debian's `chromium` through Playwright
# (never `playwright install`). Install it when missing: as root, or with passwordless sudo;
# otherwise say how. Never fails setup: without a browser that test skips and says why.
chromium:
	@command -v chromium >/dev/null 2>&1 || test -x /usr/bin/chromium || { \
	  if [ "$$(id -u)" = 0 ]; then SUDO=; elif sudo -n true 2>/dev/null; then SUDO="sudo -n"; else SUDO=no; fi; \
	  if [ "$$SUDO" != no ] && command -v apt-get >/dev/null 2>&1; then \
	    echo "installing Debian's chromium for the browser test (about a minute, once)"; \
	    ($$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq chromium >/dev/null) \
	      || echo "could not install chromium: tests/site/test_browser.py will skip"; \
	  else \
	    echo "no chromium: 'sudo apt-get install chromium' enables tests/site/test_browser.py (it skips without)"; \
	  fi; }

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PY) -m venv $(VENV)
	$(BIN)/python -c "import torch" 2>/dev/null || $(BIN)/pip install -q $(TORCH_SPEC)
	$(BIN)/pip install -q -e ".[test,docs,export]"
	touch $(STAMP)

serve: setup
	NO_MKDOCS_2_WARNING=1 $(BIN)/mkdocs serve -a $(ADDR)

build: setup
	NO_MKDOCS_2_WARNING=1 $(BIN)/mkdocs build --strict

# Everything: lint, then every test (the site build, notebooks, the browser, snippets), on
# two workers: one file per worker at a time, longest first (tests/conftest.py).
PYTEST_WORKERS ?= 2
test: setup lint
	$(BIN)/python -m pytest -q -n $(PYTEST_WORKERS)

# The fast loop while you work (under a minute on 2 cores): unit, parity and claim tests and
# the package's docstring examples; no site build, browser, notebooks, figure redraws or
# snippet processes.
test-fast: $(STAMP)
	HYPOTHESIS_PROFILE=$${HYPOTHESIS_PROFILE:-fast} $(BIN)/python -m pytest -q \
	  -n $(PYTEST_WORKERS) -m "not slow" rnn_ref tests

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

regen: setup
	$(BIN)/rnn-ref regen

# Mutation testing (mutmut; mutation/README.md): slow, never part of `make test`. Every
# mutant of the modules named, rerun, on both cores, niced; then mutation/RESULTS.md.
MUTATE_STAMP := $(VENV)/.installed-mutate
MUTATE_MODULES ?= cells loops packing scan _checks bptt bptt_cells data model checkpoint train
$(MUTATE_STAMP): $(STAMP)
	$(BIN)/pip install -q -e ".[mutate]"
	touch $(MUTATE_STAMP)

mutate: $(MUTATE_STAMP)
	HYPOTHESIS_PROFILE=mutation nice -n 10 $(BIN)/mutmut run --max-children 2 \
	  $(foreach m,$(MUTATE_MODULES),"rnn_ref.$(m).*")
	$(BIN)/python mutation/report.py

# A fixed sample of the core's mutants (two of every function), a few minutes: for CI.
mutate-fast: $(MUTATE_STAMP)
	grep -v '^#' mutation/fast_sample.txt \
	| HYPOTHESIS_PROFILE=mutation xargs nice -n 10 $(BIN)/mutmut run --max-children 1
	$(BIN)/python mutation/report.py --check-sample mutation/fast_sample.txt

clean:
	rm -rf $(VENV) site .cache .pytest_cache .hypothesis mutants
