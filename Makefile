# Every routine action has a target; the README says which to use. Each measuring target writes
# its own figures into README.md and docs/ (evaluation/runs/docs_figures.py).
# `make serve` and `make test` install what they need first, and are safe to re-run.

PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
HOST ?= 127.0.0.1
PORT ?= 8000
WORKERS ?=
Q ?= How long should I give him space when he pulls away?
SUITE ?= evaluation/suites/articles.jsonl
SCIFACT ?= ../shared/benchmarks/scifact

export HF_HUB_OFFLINE := 1
export TRANSFORMERS_OFFLINE := 1

.PHONY: install browser wheel index serve ask search test lint format eval eval-fit eval-suite train gc beir bench bench-web bench-embed bench-index bench-documents screenshots load install-scale scale clean distclean

# torch==2.13.0 (CPU) goes in first: anything else asking for torch then finds it satisfied
# instead of fetching the CUDA build.
$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet torch==2.13.0
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	$(BIN)/python -m service.question.word_rarity --write  # a build output, made from wordfreq
	touch $(STAMP)

# The word tables (service/question/word_rarity.py) are build outputs, remade when it changes.
WORDS := service/question/english_words/common-nl.txt
$(WORDS): service/question/word_rarity.py | $(STAMP)
	$(BIN)/python -m service.question.word_rarity --write

install: $(STAMP) $(WORDS)

# Debian's Chromium, which the web page's tests drive through Playwright (never
# `playwright install`: no browser is downloaded). CI runs as root on a fresh machine.
browser:
	@test -x /usr/bin/chromium || { apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y chromium; }

index: install
	$(BIN)/rag index

# One worker per core unless WORKERS=N (or RAG_WORKERS) says otherwise.
serve: install
	$(BIN)/rag serve --host $(HOST) --port $(PORT) $(if $(WORKERS),--workers $(WORKERS))

# The wheel, with the fitted models, the web page and the evaluation data, into dist/.
wheel: install
	$(BIN)/python -m pip wheel --no-deps --no-build-isolation --wheel-dir dist .

ask: install
	$(BIN)/rag ask "$(Q)"

search: install
	$(BIN)/rag search --explain "$(Q)"

test: install browser
	$(BIN)/python -m pytest

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: install
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

# The held-out suites (written blind, never fitted on), each on its own corpus, beside the
# dense-top-sentence and plain-hybrid baselines; the gate applies to the pooled service row.
# Rewrites the docs' figures: the held-out block of docs/evaluation.md and the README's headline
# (`rag eval ... --no-docs` leaves them alone).
eval: install
	$(BIN)/rag eval heldout --baselines --thresholds evaluation/thresholds.json

# The suites the models are fitted on (in-sample figures: for development, not for claims).
# Rewrites the fit block of docs/evaluation.md.
eval-fit: install
	$(BIN)/rag eval fit

# One suite file against the configured corpus: make eval-suite SUITE=path/to/suite.jsonl
eval-suite: install
	$(BIN)/rag eval $(SUITE)

beir: install
	$(BIN)/rag eval beir $(SCIFACT)

# Refit the sentence ranker, then the abstention model on the ranker's output (order matters),
# then the baselines' thresholds, all on the fit suites of evaluation/suites/suites.json; each
# writes its model and a report with leave-one-suite-out and leave-one-corpus-out figures.
train: install
	$(BIN)/python -m evaluation.fitting.train_ranker --write
	$(BIN)/python -m evaluation.fitting.calibrate --write
	$(BIN)/python -m evaluation.compare.baselines --write

# Drop all but the newest intact index versions, and embedding-cache rows none of them uses.
gc: install
	$(BIN)/rag gc

# Time to index SciFact from scratch, to add one document, and of a no-change build.
bench-index: install
	$(BIN)/python -m evaluation.bench.indexing --scifact $(SCIFACT)

# Time of PUT and DELETE /admin/documents/{id} on the bundled corpus (a copy), over loopback.
bench-documents: install
	$(BIN)/python -m evaluation.bench.documents

# Every latency and throughput figure side by side in one run, torch's query embedding as the
# reference row: embedding backends and bulk throughput, /ask in process, over HTTP against
# `rag serve --workers 2` (1, 8 and 32 clients, /health under load, memory per worker), and
# cold `rag ask` / `rag --help`. About four minutes; asserts nothing.
bench: install
	$(BIN)/python -m evaluation.bench.latency --scifact $(SCIFACT)

# Embedding backends side by side (torch, ONNX fp32, ONNX int8): query latency, load time,
# bulk throughput on SciFact passages, minimum cosine to torch.
bench-embed: install
	$(BIN)/python -m evaluation.bench.embedding --scifact $(SCIFACT)

# Time to the first answer in Chromium, and the page's weight in bytes.
bench-web: install browser
	$(BIN)/python -m tests.service.web.web_bench

# The page's screenshots (README, docs/http.md): the browser tests save them under
# reports/screenshots/; keep four.
SCREENSHOTS := answer reader abstention narrow-360
screenshots: install browser
	$(BIN)/python -m pytest tests/service/web/test_web_page.py -q
	mkdir -p service/web/screenshots
	for name in $(SCREENSHOTS); do cp reports/screenshots/$$name.png service/web/screenshots/; done

# 32 clients for 30 s against `rag serve` (one worker per core), /health probed meanwhile.
load: install
	$(BIN)/python -m evaluation.bench.load --spawn --concurrency 32 --duration 30 --health 0.05

# The scale extra (Ray Data ingest, Ray Serve replicas): `rag index --ray`, `rag serve --ray`
# and their tests, which skip without it. CI installs it.
SCALE_STAMP := $(VENV)/.installed-scale
$(SCALE_STAMP): pyproject.toml $(STAMP)
	$(BIN)/python -m pip install --quiet -e '.[dev,scale]'
	touch $(SCALE_STAMP)

install-scale: $(SCALE_STAMP)

# The cost curve (evaluation/bench/scale/cost.py): one JSON line per size, docs/scale.md's table
# and plot. 1M
# passages take about half an hour on two cores and some 12 GB while the index is written.
SIZES ?= 10000,100000,1000000
scale: install
	$(BIN)/python -m evaluation.bench.scale.cost --passages $(SIZES) --scifact $(SCIFACT) \
		--plot evaluation/figures/scale.png

clean:
	rm -rf var reports .pytest_cache .ruff_cache build dist

distclean: clean
	rm -rf $(VENV) *.egg-info service/question/english_words
