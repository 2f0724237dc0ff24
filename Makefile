# The two commands: `make run` and `make test`. Everything else is set-up they share.
VENV   ?= .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed-stamp
PYTHON ?= python3

.PHONY: run test lint format bench sample screenshots reference clean sysdeps sysdeps-test translations

$(STAMP): pyproject.toml
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[dev,cluster]'
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

# Catalogues (docs/translations.md): extract every tr()/trn() string into the template, update
# each language's .po from it, fold helpers' partial catalogues (parts/*.po) in, compile the .mo.
# The .mo files are committed, not built at install: a fresh clone, `pip install .` and a wheel
# all have them with no build step (tests/unit/test_translations.py fails when one is stale).
LOCALES := layers/locale
translations: $(STAMP)
	PYTHONPATH=. $(VENV)/bin/pybabel extract -F babel.cfg --no-default-keywords -k tr -k tr_noop -k trn:1,2 \
	  --add-location=file --sort-output -c TRANSLATORS: --project=harm-atlas \
	  --copyright-holder="Harm Atlas contributors" -o $(LOCALES)/harm_atlas.pot.new .
	@# Keep the old template when only its date differs: unchanged code changes no file.
	@if [ -f $(LOCALES)/harm_atlas.pot ] && diff -q -I '^"POT-Creation-Date:' \
	  $(LOCALES)/harm_atlas.pot $(LOCALES)/harm_atlas.pot.new >/dev/null; \
	then rm $(LOCALES)/harm_atlas.pot.new; \
	else mv $(LOCALES)/harm_atlas.pot.new $(LOCALES)/harm_atlas.pot; fi
	$(VENV)/bin/pybabel update -D harm_atlas -i $(LOCALES)/harm_atlas.pot -d $(LOCALES) \
	  --ignore-obsolete
	$(PY) tools/merge_catalogue_parts.py $(LOCALES)
	$(PY) tools/compile_catalogues.py $(LOCALES)
