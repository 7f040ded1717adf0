# Poolster — everything a fresh machine needs goes through these targets.
SHELL := /bin/bash
PYTHON ?= python3.11
VENV := .venv
PY := $(VENV)/bin/python
PIP := $(VENV)/bin/pip
STAMP := $(VENV)/.installed
NODE_STAMP := tools/cardcheck/node_modules/.installed
AZURITE_STAMP := tools/azurite/node_modules/.installed
MANIFEST_STAMP := tools/teams-manifest/node_modules/.installed
PLAYGROUND_STAMP := playground/node_modules/.installed
# Debian's Chromium, driven by Playwright in the browser test (Playwright's own download is not reachable).
CHROMIUM := $(shell command -v chromium || echo /usr/bin/chromium)
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
export POOLSTER_DATA_DIR ?= data

.PHONY: install run test test-fast lint bench playground demo package clean

$(PY):
	@command -v $(PYTHON) >/dev/null || PYTHON=python3; $${PYTHON:-$(PYTHON)} -m venv $(VENV) || python3 -m venv $(VENV)

$(STAMP): requirements.txt requirements-dev.txt requirements-nodeps.txt | $(PY)
	$(PIP) install --quiet --upgrade pip
	$(PIP) install --quiet -r requirements-dev.txt
	$(PIP) install --quiet --no-deps -r requirements-nodeps.txt
	touch $@

$(NODE_STAMP): tools/cardcheck/package.json tools/cardcheck/package-lock.json
	npm ci --prefix tools/cardcheck --no-audit --no-fund --loglevel=error
	touch $@

# Azurite, the local Azure Storage emulator, for the tests of the shared Blob store.
$(AZURITE_STAMP): tools/azurite/package.json tools/azurite/package-lock.json
	npm ci --prefix tools/azurite --no-audit --no-fund --loglevel=error
	touch $@

# The official Teams app manifest JSON schemas, for validating the app package offline.
$(MANIFEST_STAMP): tools/teams-manifest/package.json tools/teams-manifest/package-lock.json
	npm ci --prefix tools/teams-manifest --no-audit --no-fund --loglevel=error
	touch $@

# The Microsoft 365 Agents Playground, for `make playground` and the browser test.
$(PLAYGROUND_STAMP): playground/package.json playground/package-lock.json
	npm ci --prefix playground --no-audit --no-fund --loglevel=error
	touch $@

$(CHROMIUM):
	$(SUDO) apt-get update -qq
	DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq chromium

# The centre's report: WeasyPrint renders with Debian's pango and the DejaVu fonts; its tests read the
# PDF with poppler's pdftotext and pdftoppm. All four come together when pdftotext is missing.
PDFTOTEXT := /usr/bin/pdftotext
$(PDFTOTEXT):
	$(SUDO) apt-get update -qq
	DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq libpango-1.0-0 libpangoft2-1.0-0 fonts-dejavu-core poppler-utils

install: $(STAMP) $(NODE_STAMP) $(AZURITE_STAMP) $(MANIFEST_STAMP) $(PLAYGROUND_STAMP) $(CHROMIUM) $(PDFTOTEXT)

## The Teams app package (manifest + icons) in build/poolster-teams-app.zip.
package: $(STAMP) $(MANIFEST_STAMP)
	$(PY) scripts/package_app.py

## Start the bot on http://127.0.0.1:3978/api/messages with the embedded store in ./data.
run: $(STAMP)
	@mkdir -p $(POOLSTER_DATA_DIR)
	@if [ ! -f $(POOLSTER_DATA_DIR)/centres.yaml ]; then \
		cp demo/centres.yaml $(POOLSTER_DATA_DIR)/centres.yaml; \
		echo "Demo-register gekopieerd naar $(POOLSTER_DATA_DIR)/centres.yaml (pas het aan voor echt gebruik)."; \
	fi
	$(PY) app.py

## Install everything and run every test (CI runs this).
test: install lint
	$(PY) -m pytest -q -p no:cacheprovider

## Code health: ruff (lint and format check) over the code, mypy over the domain and storage layers.
lint: $(STAMP)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/mypy

## Tests without the slow stress suites.
test-fast: install
	$(PY) -m pytest -q -m "not slow"

## The bot plus the Microsoft 365 Agents Playground on http://127.0.0.1:56150 (Ctrl-C stops both), as one of
## the mock people of playground/m365agentsplayground.yml: ALS=adele|lee (members), megan (director), johanna (a school's contact),
## nestor (the scholengroep's AD), alex (POC+), lynne (in no centre). The data in data-playground/ stays when you switch.
ALS ?= adele
playground: $(STAMP) $(PLAYGROUND_STAMP)
	@mkdir -p data-playground && cp playground/centres.yaml data-playground/centres.yaml
	@$(PY) scripts/playground_config.py $(ALS) data-playground/playground-$(ALS).yml
	@trap 'kill 0' INT TERM EXIT; \
	POOLSTER_DATA_DIR=data-playground POOLSTER_ADMINS=alexw@example.com $(PY) app.py & \
	sleep 2; \
	M365_AGENTS_PLAYGROUND_CONFIG_PATH=data-playground/playground-$(ALS).yml \
	M365_AGENTS_PLAYGROUND_LOGFILE=data-playground/playground.log TEAMSAPPTESTER_BROWSER=none \
	playground/node_modules/.bin/agentsplayground -e http://127.0.0.1:3978/api/messages -c msteams --disable-telemetry & \
	wait

## Benchmarks at full size; results in docs/benchmarks.md.
bench: install
	$(PY) scripts/bench.py

## Play the demo centre's members against a running bot (make run first).
demo: $(STAMP)
	$(PY) scripts/demo_centre.py

clean:
	rm -rf $(VENV) tools/cardcheck/node_modules tools/azurite/node_modules tools/teams-manifest/node_modules build
