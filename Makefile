# One entry point.  `make book` builds the site; `make test` runs every test.
# Both set up everything first (virtual environment from the pinned constraints,
# npm assets from package-lock.json, Debian packages when missing).

SHELL := /bin/bash
.SHELLFLAGS := -eo pipefail -c
VENV := .venv
PY := $(VENV)/bin/python
PIP_FILTER := grep -v -e "is ignored: it is neither a file nor a directory" || true

.PHONY: setup system book test test-fast lab notebooks bench bench-book bench-reports bench-live bench-frame clean

setup: system $(VENV)/.installed node_modules/.installed

system:
	@bash scripts/system-deps.sh

$(VENV)/.installed: pyproject.toml requirements/constraints.txt
	python3 -m venv $(VENV)
	$(PY) -m pip install -q --disable-pip-version-check -c requirements/constraints.txt \
		-e ".[book,reports,test,frame]" 2>&1 | $(PIP_FILTER)
	touch $@

node_modules/.installed: package.json package-lock.json
	npm ci --ignore-scripts --no-audit --no-fund --loglevel=error
	touch $@

# The main job: the offline Jupyter Book in _build/html.
book: setup
	$(PY) scripts/build_book.py
	@echo "Built _build/html. Open it with: $(PY) -m http.server -d _build/html 8000  (then http://127.0.0.1:8000)"

# Every test: unit and property tests, CLI, notebooks (nbval), the strict book build, browser tests.
test: setup
	bash scripts/run-tests.sh

# Unit and property tests only (no book build, no browser).
test-fast: $(VENV)/.installed
	$(PY) -m pytest -q -m "not browser and not book"

# Explore the notebooks with live widgets: JupyterLab in the git-ignored scratch/ folder, with the
# chapters as read-only copies that read as prose (scripts/lab.py).  Needs only the virtual environment.
# Pass JupyterLab options with LAB_ARGS, e.g.  make lab LAB_ARGS="--port=8899 --no-browser"
LAB_ARGS ?=
lab: $(VENV)/.installed
	$(PY) scripts/lab.py $(LAB_ARGS)

# Refresh the outputs stored in the chapter notebooks (nbval compares against them).
notebooks: setup
	$(PY) scripts/build_book.py --store-outputs

# Benchmarks print their figures; they are not tests.
bench: $(VENV)/.installed
	$(PY) benchmarks/calculators.py
	$(PY) benchmarks/pathway.py

bench-book: setup
	$(PY) benchmarks/book_build.py

bench-reports: setup
	$(PY) benchmarks/reports.py

# recommend_frame against the recommend() loop, and a Dask local-cluster run (netlib[frame]).
bench-frame: $(VENV)/.installed
	$(PY) benchmarks/frame.py

bench-live: book
	$(PY) benchmarks/live.py

clean:
	rm -rf _build .jupyter_cache dist _assets/offline/require.js _assets/offline/widgets _assets/offline/mathjax \
		_assets/live/pyodide _assets/live/*.whl _assets/live/netlib-live.json
