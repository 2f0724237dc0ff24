# The two commands: `make run` and `make test`. Everything else is set-up they share.
VENV   ?= .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed-stamp
PYTHON ?= python3

.PHONY: run test lint format bench sample screenshots reference clean sysdeps sysdeps-test

$(STAMP): pyproject.toml
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[dev]'
	@touch $(STAMP)

# Debian libraries Qt's platform plugins link against (installed only when missing).
sysdeps:
	@bash .ci/system-deps.sh qt

# Tests also need pdftotext/pdftoppm and headless Chromium for the export checks.
sysdeps-test:
	@bash .ci/system-deps.sh qt test

run: $(STAMP) sysdeps
	$(PY) main.py

test: $(STAMP) sysdeps-test
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/lint-imports
	QT_QPA_PLATFORM=offscreen $(PY) -m pytest

lint:
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

bench: $(STAMP)
	$(PY) -m benchmarks.run_all

# The analyses' parameter reference, written from their declarations.
reference: $(STAMP)
	$(PY) -m analysis.reference > docs/analyses.md

sample: $(STAMP)
	$(PY) -m sample_maps.generate

clean:
	rm -rf $(VENV) build *.egg-info .pytest_cache test-output

# Re-take the README's window screenshots from the sample project (tests write them).
screenshots: $(STAMP) sysdeps
	HARM_ATLAS_DOCS_IMAGES=1 QT_QPA_PLATFORM=offscreen $(PY) -m pytest -q \
	  tests/gui/test_screenshots.py tests/gui/test_compare_view.py tests/gui/test_analysis_ui.py
