# Process Returns: the two commands a newcomer needs are `make lab` and `make test`.
# Both build .venv from requirements.txt first (only when it changed), so nothing is installed by hand.

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
# Notebooks run in parallel (pytest-xdist); each run starts its own kernel and children.
# Four workers on two cores: many tests wait (timeouts, children, kernels), so a fourth keeps
# the cores busy (suite 211-227 s, against 238 s with three; run.py's SUITE_WORKERS).
WORKERS ?= 4

STRESS_RUNS ?= 5

NOTEBOOKS ?=

.PHONY: check lab test unit notebooks stress student clean help browser-test no-browser-test test-pythons

help:
	@echo "make lab        open the course in JupyterLab (sets up .venv on first use)"
	@echo "make test       run the whole suite: helpers' unit tests, every notebook under spawn, fork, forkserver, then in a browser"
	@echo "make check      the quick loop: ruff, quick unit tests, notebooks changed since main (or NOTEBOOKS=03-queue) under spawn"
	@echo "make notebooks  re-execute every notebook in place (the only way committed outputs are made)"
	@echo "make browser-test  run every notebook in JupyterLab in headless Chromium (part of make test)"
	@echo "make test-pythons  run the suite on every Python 3.11-3.15 found here, each in its own .venv-3.X"
	@echo "make stress     run every notebook under every start method STRESS_RUNS times (default 5),"
	@echo "                then every solution and known-wrong answer under every start method"
	@echo "make student    write student versions (solutions replaced by placeholders) into student/"
	@echo "make clean      remove .venv and caches"

$(STAMP): requirements.txt pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "Python 3.11 or newer is needed; found " + sys.version.split()[0])'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements.txt
	$(BIN)/python -m pip install --quiet --no-deps -e .
	@touch $@

# Jupyter refuses to run as root unless told; containers and classroom VMs often are root.
LAB_FLAGS := $(if $(filter 0,$(shell id -u 2>/dev/null)),--allow-root)

lab: $(STAMP)
	$(BIN)/jupyter lab --notebook-dir=. $(LAB_FLAGS) notebooks/00-start-here.ipynb

# The browser test runs even when the rest failed (one CI run reports both); either failing fails.
# The committed outputs are made on Linux; elsewhere (macOS) the notebooks are executed and any
# error fails, but outputs are not compared: run.py's docstring says why.
ifeq ($(shell uname -s),Linux)
SUITE := $(BIN)/python -m pytest -n $(WORKERS) --dist loadscope
else
SUITE := $(BIN)/python run.py test --no-browser --workers $(WORKERS)
endif

test: $(STAMP)
	@status=0; \
	echo "$(BIN)/ruff check ."; \
	$(BIN)/ruff check . || status=$$?; \
	echo "$(SUITE)"; \
	$(SUITE) || status=$$?; \
	$(MAKE) --no-print-directory $(if $(filter 0,$(BROWSER)),no-browser-test,browser-test) || status=1; \
	exit $$status

# The browser test runs after the rest, alone, so it never competes with the notebook runs.
# It needs Chromium or Chrome: tests/browser/find_browser.py finds one (BROWSER_TEST_CHROMIUM,
# the PATH, the usual folders) or installs one, and says which; `make test BROWSER=0` leaves it out.
BROWSER ?= 1
# Two notebooks at a time, each with a JupyterLab and a browser of its own (BROWSER_WORKERS=1: one).
BROWSER_WORKERS ?= 2
BROWSER_TEST := -n $(BROWSER_WORKERS) tests/browser/notebooks_in_browser.py

browser-test: $(STAMP)
	@chromium="$$($(BIN)/python -m tests.browser.find_browser)" && \
	echo "$(BIN)/python -m pytest $(BROWSER_TEST)" && \
	BROWSER_TEST_CHROMIUM="$$chromium" $(BIN)/python -m pytest $(BROWSER_TEST)

no-browser-test:
	@echo "browser test not run (BROWSER=0)"

# One venv per Python (.venv-3.11, ...); a line per version at the end. Logs: build/test-pythons/.
test-pythons:
	$(PYTHON) run.py test-pythons --workers $(WORKERS)

# The loop for someone editing a notebook or a helper; `make test` is still what must pass.
check: $(STAMP)
	$(BIN)/python run.py check $(NOTEBOOKS)

unit: $(STAMP)
	$(BIN)/python -m pytest tests

notebooks: $(STAMP)
	$(BIN)/python -m tests.execute_notebooks

# make test runs each solution and known-wrong answer under one start method in turn; stress
# runs them under all three.
stress: $(STAMP)
	$(BIN)/python -m tests.stress --runs $(STRESS_RUNS) --workers $(WORKERS)
	$(BIN)/python -m pytest -n $(WORKERS) --dist loadscope --all-start-methods \
		tests/test_checks.py tests/test_checks_wrong_answers.py

student: $(STAMP)
	$(BIN)/python -m helpers.student

clean:
	rm -rf $(VENV) .pytest_cache
