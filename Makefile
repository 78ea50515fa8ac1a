# Two commands set everything up on a machine with Python 3.11+ and access to PyPI:
#   make demo   virtualenv, install, sample network, today's reminders, the overdue report
#   make test   virtualenv, install with the test tools, the whole test suite
PYTHON ?= python3
VENV ?= .venv
DEMO_DIR ?= demo
BIN := $(VENV)/bin
SOURCES := pyproject.toml $(shell find src -type f -not -name '*.pyc' -not -path '*/__pycache__/*')

.PHONY: demo test test-postgres clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

# A normal, non-editable install: templates, migrations and sample data must ship in the wheel.
$(VENV)/.installed: $(BIN)/python $(SOURCES)
	$(BIN)/python -m pip install -qq --disable-pip-version-check '.[test]'
	touch $@

demo: export DOSSIERS_DB = sqlite:///$(DEMO_DIR)/dossiers.db
demo: export DOSSIERS_MAIL_FROM = Suivi des dossiers <dossiers@interim-exemple.fr>
demo: $(VENV)/.installed
	rm -rf $(DEMO_DIR)
	@mkdir -p $(DEMO_DIR)
	$(BIN)/dossiers init
	$(BIN)/dossiers sample
	@echo
	@echo "Rappels du jour (transport file : un fichier .eml par personne) :"
	$(BIN)/dossiers remind --transport file --outbox-dir $(DEMO_DIR)/mails
	@echo "Ouvrez les rappels $(DEMO_DIR)/mails/*.eml avec un client de messagerie."
	@echo "La base de démonstration est $(DEMO_DIR)/dossiers.db : export DOSSIERS_DB=$$DOSSIERS_DB"
	@echo
	$(BIN)/dossiers report overdue

test: $(VENV)/.installed
	$(BIN)/python -m pytest

# The same suite on a throw-away PostgreSQL server on loopback (installed if missing).
test-postgres: $(VENV)/.installed
	DOSSIERS_TEST_DB=$$(scripts/test-postgres-server start) $(BIN)/python -m pytest; \
	status=$$?; scripts/test-postgres-server stop; exit $$status

clean:
	rm -rf $(VENV) $(DEMO_DIR) build dist
