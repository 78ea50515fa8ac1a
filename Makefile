# Two commands set everything up on a machine with Python 3.11+ and access to PyPI:
#   make demo   virtualenv, install, sample network, what is late today
#   make test   virtualenv, install with the test tools, the whole test suite
PYTHON ?= python3
VENV ?= .venv
DEMO_DIR ?= demo
BIN := $(VENV)/bin
SOURCES := pyproject.toml $(shell find src -type f -not -name '*.pyc' -not -path '*/__pycache__/*')

.PHONY: demo test clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

# A normal, non-editable install: templates, migrations and sample data must ship in the wheel.
$(VENV)/.installed: $(BIN)/python $(SOURCES)
	$(BIN)/python -m pip install -qq --disable-pip-version-check '.[test]'
	touch $@

demo: $(VENV)/.installed
	rm -f $(DEMO_DIR)/dossiers.db
	@mkdir -p $(DEMO_DIR)
	DOSSIERS_DB=sqlite:///$(DEMO_DIR)/dossiers.db $(BIN)/dossiers init
	DOSSIERS_DB=sqlite:///$(DEMO_DIR)/dossiers.db $(BIN)/dossiers sample
	@echo
	@echo "Dossiers en retard aujourd'hui :"
	DOSSIERS_DB=sqlite:///$(DEMO_DIR)/dossiers.db $(BIN)/dossiers list --overdue
	@echo
	@echo "La base de démonstration est $(DEMO_DIR)/dossiers.db ; essayez par exemple :"
	@echo "  DOSSIERS_DB=sqlite:///$(DEMO_DIR)/dossiers.db $(BIN)/dossiers show LYO-CDPI-09"

test: $(VENV)/.installed
	$(BIN)/python -m pytest

clean:
	rm -rf $(VENV) $(DEMO_DIR) build dist
