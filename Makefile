# Two commands for a newcomer: `make serve` and `make test`. Both set up .venv first.
PY      ?= python3
VENV    := .venv
BIN     := $(VENV)/bin
# No GPU: the CPU wheel (on this project's machines it lies on local disk; elsewhere set TORCH_SPEC,
# e.g. TORCH_SPEC="torch --index-url https://download.pytorch.org/whl/cpu").
# GPU (nvidia-smi works): the project's own range, so pip picks a CUDA build.
TORCH_SPEC ?= $(shell nvidia-smi >/dev/null 2>&1 && echo "torch>=2.4,<3" || echo "torch==2.13.0")
STAMP   := $(VENV)/.installed
ADDR    ?= 127.0.0.1:8000

.PHONY: setup serve test build regen clean

setup: $(STAMP)

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PY) -m venv $(VENV)
	$(BIN)/python -c "import torch" 2>/dev/null || $(BIN)/pip install -q $(TORCH_SPEC)
	$(BIN)/pip install -q -e ".[test,docs]"
	touch $(STAMP)

serve: setup
	NO_MKDOCS_2_WARNING=1 $(BIN)/mkdocs serve -a $(ADDR)

build: setup
	NO_MKDOCS_2_WARNING=1 $(BIN)/mkdocs build --strict

test: setup
	$(BIN)/python -m pytest -q

regen: setup
	$(BIN)/rnn-ref regen

clean:
	rm -rf $(VENV) site .cache .pytest_cache .hypothesis
