# The two commands a reader needs: `make serve` and `make test`.
# Both create .venv and install requirements.txt into it on first use.

PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
INSTALLED := $(VENV)/.installed

.PHONY: serve test kernels mutants build bench lighthouse jupyter-times links lint pin clean

# torch is pinned to its CPU build (torch==2.13.0+cpu), installed first and
# alone: from a local wheel folder or an index pip already knows, and where
# none has it (PyPI serves no +cpu build), from PyTorch's CPU index, asked
# only then; never as a multi-GB CUDA build. Its dependencies come from
# requirements.txt, pinned like everything else.
TORCH := $(shell grep -m1 '^torch==' requirements.txt)
TORCH_INDEX := https://download.pytorch.org/whl/cpu
PIP := $(BIN)/python -m pip install --disable-pip-version-check -q

$(INSTALLED): requirements.txt requirements-nodeps.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(PIP) --no-deps "$(TORCH)" 2>/dev/null || { \
		echo "pip found no $(TORCH) here: trying PyTorch's CPU index"; \
		$(PIP) --no-deps --index-url $(TORCH_INDEX) "$(TORCH)"; }
	$(PIP) -r requirements.txt
	$(PIP) --no-deps -r requirements-nodeps.txt
	touch $@

## serve: the site on http://127.0.0.1:8000, reloading on every edit
serve: $(INSTALLED)
	NO_MKDOCS_2_WARNING=1 PYTHONDONTWRITEBYTECODE=1 $(BIN)/mkdocs serve --livereload

## test: a clean strict build, then every test (see README.md)
test: $(INSTALLED)
	$(BIN)/python -m pytest

## kernels: the site under three kernel settings, stand-ins for three
## machines (torch's native kernels, ATEN_CPU_CAPABILITY=avx2 and =default):
## no number typed into a page is one that they print differently, and the
## claims the snippet tests check hold under each (.ci/run runs it after
## make test; each setting's outputs are cached under their own keys)
CLAIMS := tests/snippets tests/site/test_prose_numbers.py \
	-m "not postgres and not built_site"
kernels: $(INSTALLED)
	$(BIN)/python -m pytest -m kernels tests/site/test_kernels.py
	ATEN_CPU_CAPABILITY=avx2 $(BIN)/python -m pytest $(CLAIMS)
	ATEN_CPU_CAPABILITY=default $(BIN)/python -m pytest $(CLAIMS)

## mutants: mutation testing (mutmut) of the modules whose tests must bite,
## in a copy (mutants/); writes the scores into docs/contributing/testing.md
## and fails when a module misses its target (not part of make test)
mutants: $(INSTALLED)
	rm -rf mutants
	start=$$(date +%s); HPE_MUTANTS=1 $(BIN)/mutmut run >/dev/null && \
		$(BIN)/python -m tools.mutants $$(( $$(date +%s) - start ))

## build: the site into site/, as deployed (examples from .cache/exec when
## their content did not change)
build: $(INSTALLED)
	NO_MKDOCS_2_WARNING=1 $(BIN)/mkdocs build --strict --clean

## bench: build, test and edit-loop times, medians of 3, page weight and
## Lighthouse on every page (docs/contributing/performance.md)
bench: $(INSTALLED) node_modules/.installed
	$(BIN)/python tools/bench.py

## lighthouse: Lighthouse alone, on a fresh build of every page (its
## section of docs/contributing/performance.md; three audits a page,
## the median run kept: about 45 s a page)
lighthouse: build node_modules/.installed
	$(BIN)/python -m tools.lighthouse site

## jupyter-times: every notebook the site offers, alone in a real Jupyter
## kernel, with and without its one-thread cell (its section of
## docs/contributing/performance.md; about ten minutes)
jupyter-times: build
	$(BIN)/python -m tools.jupyter_times site

# Lighthouse 12.2.3, pinned by package-lock.json (npm ci; Node 20)
node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund
	touch $@

## links: the external links of the built site (tests check internal ones)
links: build
	$(BIN)/python -m tools.links site

lint: $(INSTALLED)
	$(BIN)/ruff check .

## pin: requirements.txt from requirements.in, every package pinned (pip-tools)
pin: $(INSTALLED)
	CUSTOM_COMPILE_COMMAND="make pin" $(BIN)/pip-compile --quiet --strip-extras --no-emit-index-url \
		--no-emit-find-links --output-file requirements.txt \
		requirements.in

## clean: the built site and every cache (the next build runs every example,
## the next make test every test)
clean:
	rm -rf site .cache .pytest_cache
