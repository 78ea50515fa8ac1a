# Two commands set everything up on a machine with Python 3.11+ and access to PyPI:
#   make demo   virtualenv, install, sample network, today's reminders, the overdue report
#   make test   virtualenv, install with the test tools, the whole test suite (the browser tests
#               drive /usr/bin/chromium when it is there, and say they are skipped when not)
# Both install the exact, hashed versions of requirements.txt (`make lock` refreshes it).
PYTHON ?= python3
VENV ?= .venv
DEMO_DIR ?= demo
BIN := $(VENV)/bin
SOURCES := pyproject.toml $(shell find src templates migrations sample_data -type f -not -name '*.pyc' -not -path '*/__pycache__/*')

LOCK := requirements.txt

.PHONY: demo test test-postgres lock clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

# The locked dependencies (hashes checked), then the project itself as a normal, non-editable
# install built with the locked hatchling: templates, migrations and sample data must ship in
# the wheel.
$(VENV)/.installed: $(BIN)/python $(LOCK) $(SOURCES)
	$(BIN)/python -m pip install -qq --disable-pip-version-check --require-hashes --no-deps -r $(LOCK)
	$(BIN)/python -m pip install -qq --disable-pip-version-check --no-deps --no-build-isolation .
	touch $@

demo: export DOSSIERS_DB = sqlite:///$(abspath $(DEMO_DIR))/dossiers.db
demo: export DOSSIERS_MAIL_FROM = Suivi des dossiers <dossiers@interim-exemple.fr>
# The demo is placed on today, or on the next jour ouvré when today is not one (a Saturday
# sends no reminder); DEMO_TODAY=AAAA-MM-JJ places it as if today were that day.
demo: $(VENV)/.installed
	rm -rf $(DEMO_DIR)
	@mkdir -p $(DEMO_DIR)
	@set -e; day=$$($(BIN)/python scripts/demo_day.py $(DEMO_TODAY)); \
	$(BIN)/python scripts/demo_day.py --explain $(DEMO_TODAY); \
	$(BIN)/dossiers init; \
	$(BIN)/dossiers sample --as-of $$day; \
	echo; \
	echo "Rappels du jour (transport file : un fichier .eml par personne) :"; \
	$(BIN)/dossiers remind --transport file --outbox-dir $(DEMO_DIR)/mails --as-of $$day; \
	if ls $(DEMO_DIR)/mails/*.eml >/dev/null 2>&1; then \
	  echo "Ouvrez les rappels $(abspath $(DEMO_DIR))/mails/*.eml avec un client de messagerie."; \
	else \
	  echo "Aucun rappel écrit."; \
	fi; \
	echo "La base de démonstration est $(abspath $(DEMO_DIR))/dossiers.db : export DOSSIERS_DB=$$DOSSIERS_DB"; \
	$(BIN)/python scripts/demo_day.py --hint $(DEMO_TODAY); \
	echo; \
	$(BIN)/dossiers report overdue --as-of $$day; \
	echo; \
	echo "Vue web des managers : DOSSIERS_MAIL_TRANSPORT=file $(BIN)/dossiers serve (http://127.0.0.1:8000),"; \
	echo "puis un lien de connexion : $(BIN)/dossiers web link sophie.garnier@interim-exemple.fr"

test: $(VENV)/.installed
	$(BIN)/python -m pytest

# The same suite on a throw-away PostgreSQL server on loopback (installed if missing).
test-postgres: $(VENV)/.installed
	DOSSIERS_TEST_DB=$$(scripts/test-postgres-server start) $(BIN)/python -m pytest; \
	status=$$?; scripts/test-postgres-server stop; exit $$status

# Re-resolve every dependency to its newest release allowed by pyproject.toml, with hashes.
lock:
	$(PYTHON) -m venv .venv-lock
	.venv-lock/bin/python -m pip install -qq --disable-pip-version-check 'pip-tools>=7.4'
	.venv-lock/bin/pip-compile -q --upgrade --generate-hashes --allow-unsafe --strip-extras \
	    --no-emit-index-url --no-emit-find-links --all-build-deps \
	    --extra test --extra pdf --extra postgresql -o $(LOCK) pyproject.toml

clean:
	rm -rf $(VENV) .venv-lock $(DEMO_DIR) build dist
