# Process Returns: the two commands a newcomer needs are `make lab` and `make test`.
# Both build .venv from requirements.txt first (only when it changed), so nothing is installed by hand.

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
# Notebooks run in parallel (pytest-xdist); each run starts its own kernel and children.
WORKERS ?= 3

STRESS_RUNS ?= 5

.PHONY: lab test unit notebooks stress clean help

help:
	@echo "make lab        open the course in JupyterLab (sets up .venv on first use)"
	@echo "make test       run the whole suite: helpers' unit tests and every notebook under spawn, fork, forkserver"
	@echo "make notebooks  re-execute every notebook in place (the only way committed outputs are made)"
	@echo "make stress     run every notebook under every start method STRESS_RUNS times (default 5)"
	@echo "make clean      remove .venv and caches"

$(STAMP): requirements.txt pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 10) else "Python 3.10 or newer is needed; found " + sys.version.split()[0])'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements.txt
	$(BIN)/python -m pip install --quiet --no-deps -e .
	@touch $@

# Jupyter refuses to run as root unless told; containers and classroom VMs often are root.
LAB_FLAGS := $(if $(filter 0,$(shell id -u 2>/dev/null)),--allow-root)

lab: $(STAMP)
	$(BIN)/jupyter lab --notebook-dir=. $(LAB_FLAGS) notebooks/00-start-here.ipynb

test: $(STAMP)
	$(BIN)/python -m pytest -n $(WORKERS) --dist loadscope

unit: $(STAMP)
	$(BIN)/python -m pytest tests

notebooks: $(STAMP)
	$(BIN)/python -m tests.execute_notebooks

stress: $(STAMP)
	$(BIN)/python -m tests.stress --runs $(STRESS_RUNS) --workers $(WORKERS)

clean:
	rm -rf $(VENV) .pytest_cache
