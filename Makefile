# Haven: the two commands a newcomer needs are `make demo` and `make test`.
SHELL := /bin/bash
.DEFAULT_GOAL := help

VENV := .venv
PY := $(VENV)/bin/python
# Django 6 needs Python 3.12+: take the first suitable interpreter (PATH first, then pyenv's).
PYTHON ?= $(shell for p in python3.14 python3.13 python3.12 python3 $$HOME/.pyenv/versions/3.1[2-9]*/bin/python3; do \
	"$$p" -c 'import sys; sys.exit(sys.version_info < (3, 12))' >/dev/null 2>&1 && { command -v "$$p" || echo "$$p"; } && break; done)

.PHONY: help venv demo test bench lint services

help:
	@echo "make demo   set up everything, load the demo clinic, run web + worker + beat"
	@echo "make test   set up everything and run every test (unit, integration, browser)"
	@echo "make bench  seed clinics of 5,000 and 50,000 patients (own databases), measure the key pages at both, run Lighthouse"
	@echo "make lint   ruff and mypy"
	@echo "make lighthouse  Lighthouse on the portal (mobile) and the staff chart (desktop) against the bench database"
	@echo "make portal-css  rebuild static/css/portal.built.css (Bootstrap purged for the portal + css/portal.css)"
	@echo "make restore-drill  dump the database, restore it into a new one, check and serve it, drop it"

$(VENV)/.installed: requirements.txt
	@test -n "$(PYTHON)" || { echo "haven: Python 3.12 or newer is needed (Django 6). Install it, or run make PYTHON=/path/to/python3.12"; exit 1; }
	@if [ -x $(PY) ] && ! $(PY) -c 'import sys; sys.exit(sys.version_info < (3, 12))' 2>/dev/null; then rm -rf $(VENV); fi
	@test -x $(PY) || { echo "haven: creating $(VENV) with $(PYTHON)"; "$(PYTHON)" -m venv $(VENV); }
	@echo "haven: installing requirements.txt"
	@$(PY) -m pip install --quiet --disable-pip-version-check -r requirements.txt
	@touch $@

venv: $(VENV)/.installed

services: venv
	@$(PY) -m launcher services

demo: venv
	@$(PY) -m launcher demo

test: services
	@$(PY) -m launcher browser
	@$(PY) -m pytest

bench: services
	@$(PY) -m launcher browser
	@$(PY) -m bench

# Lighthouse 12.2.3 (npx) with Debian's Chromium against gunicorn on the bench database (seeded by `make bench`).
.PHONY: lighthouse
lighthouse: services
	@$(PY) -m launcher browser
	@$(PY) -m bench.lighthouse

# The portal's one stylesheet: PurgeCSS (npx, pinned) over Bootstrap for the portal's templates, then css/portal.css.
.PHONY: portal-css
portal-css:
	@$(PY) -m launcher.portal_css

.PHONY: restore-drill
restore-drill: services
	@$(PY) -m launcher restore-drill

lint: venv
	@$(VENV)/bin/ruff check .
	@$(VENV)/bin/ruff format --check .
	@$(VENV)/bin/mypy
