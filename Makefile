# Every routine action has a target; the README says which to use.
# `make serve` and `make test` install what they need first, and are safe to re-run.

PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
HOST ?= 127.0.0.1
PORT ?= 8000
Q ?= How long should I give him space when he pulls away?
SUITE ?= evaluation/suites/articles.jsonl
SCIFACT ?= ../shared/benchmarks/scifact

export HF_HUB_OFFLINE := 1
export TRANSFORMERS_OFFLINE := 1

.PHONY: install index serve ask search test lint format eval eval-holdout train beir bench load clean distclean

# torch==2.13.0 (CPU) goes in first: anything else asking for torch then finds it satisfied
# instead of fetching the CUDA build.
$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet torch==2.13.0
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)

index: install
	$(BIN)/rag index

serve: install
	$(BIN)/rag serve --host $(HOST) --port $(PORT)

ask: install
	$(BIN)/rag ask "$(Q)"

search: install
	$(BIN)/rag search --explain "$(Q)"

test: install
	$(BIN)/python -m pytest

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: install
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

eval: install
	$(BIN)/rag eval $(SUITE) --thresholds evaluation/thresholds.json

eval-holdout: install
	$(BIN)/rag eval evaluation/suites/holdout.jsonl

beir: install
	$(BIN)/rag eval beir $(SCIFACT)

# Refit the sentence ranker, then the abstention model on the ranker's output (order matters);
# both write their weights beside the service and a report under evaluation/.
train: install
	$(BIN)/python -m evaluation.train_ranker --write
	$(BIN)/python -m evaluation.calibrate --write

bench: install
	$(BIN)/python -m evaluation.latency

load: install
	$(BIN)/python -m evaluation.load --spawn --concurrency 8 --duration 30

clean:
	rm -rf var reports .pytest_cache .ruff_cache

distclean: clean
	rm -rf $(VENV) *.egg-info
