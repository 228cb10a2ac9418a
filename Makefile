# The two commands a reader needs: `make serve` and `make test`.
# Both create .venv and install requirements.txt into it on first use.

PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
INSTALLED := $(VENV)/.installed

.PHONY: serve test build bench links lint pin clean

# torch is pinned to its CPU build (torch==2.13.0+cpu): pip finds it in a
# local wheel folder or in PyPI's CPU index, named by the environment
# (PIP_EXTRA_INDEX_URL=https://download.pytorch.org/whl/cpu, as the GitHub
# workflow does), never as a multi-GB CUDA build.
$(INSTALLED): requirements.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --disable-pip-version-check -q \
		-r requirements.txt
	touch $@

## serve: the site on http://127.0.0.1:8000, reloading on every edit
serve: $(INSTALLED)
	NO_MKDOCS_2_WARNING=1 PYTHONDONTWRITEBYTECODE=1 $(BIN)/mkdocs serve --livereload

## test: a clean strict build, then every test (see README.md)
test: $(INSTALLED)
	$(BIN)/python -m pytest

## build: the site into site/, as deployed (examples from .cache/exec when
## their content did not change)
build: $(INSTALLED)
	NO_MKDOCS_2_WARNING=1 $(BIN)/mkdocs build --strict --clean

## bench: build, test and edit-loop times, medians of 3
## (docs/contributing/performance.md)
bench: $(INSTALLED)
	$(BIN)/python tools/bench.py

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

## clean: the built site and every cache (the next build runs every example)
clean:
	rm -rf site .cache
