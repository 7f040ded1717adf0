# Poolster — everything a fresh machine needs goes through these targets.
SHELL := /bin/bash
PYTHON ?= python3.11
VENV := .venv
PY := $(VENV)/bin/python
PIP := $(VENV)/bin/pip
STAMP := $(VENV)/.installed
NODE_STAMP := tools/cardcheck/node_modules/.installed
AZURITE_STAMP := tools/azurite/node_modules/.installed
export POOLSTER_DATA_DIR ?= data

.PHONY: install run test test-fast bench playground demo clean

$(PY):
	@command -v $(PYTHON) >/dev/null || PYTHON=python3; $${PYTHON:-$(PYTHON)} -m venv $(VENV) || python3 -m venv $(VENV)

$(STAMP): requirements.txt requirements-dev.txt | $(PY)
	$(PIP) install --quiet --upgrade pip
	$(PIP) install --quiet -r requirements-dev.txt
	touch $@

$(NODE_STAMP): tools/cardcheck/package.json tools/cardcheck/package-lock.json
	npm ci --prefix tools/cardcheck --no-audit --no-fund --loglevel=error
	touch $@

# Azurite, the local Azure Storage emulator, for the tests of the shared Blob store.
$(AZURITE_STAMP): tools/azurite/package.json tools/azurite/package-lock.json
	npm ci --prefix tools/azurite --no-audit --no-fund --loglevel=error
	touch $@

install: $(STAMP) $(NODE_STAMP) $(AZURITE_STAMP)

## Start the bot on http://127.0.0.1:3978/api/messages with the embedded store in ./data.
run: $(STAMP)
	@mkdir -p $(POOLSTER_DATA_DIR)
	@if [ ! -f $(POOLSTER_DATA_DIR)/centres.yaml ]; then \
		cp demo/centres.yaml $(POOLSTER_DATA_DIR)/centres.yaml; \
		echo "Demo-register gekopieerd naar $(POOLSTER_DATA_DIR)/centres.yaml (pas het aan voor echt gebruik)."; \
	fi
	$(PY) app.py

## Install everything and run every test (CI runs this).
test: install
	$(PY) -m pytest -q -p no:cacheprovider

## Tests without the slow stress suites.
test-fast: install
	$(PY) -m pytest -q -m "not slow"

## The bot plus the Microsoft 365 Agents Playground on http://127.0.0.1:56150 (Ctrl-C stops both).
## Its user, Alex Wilber, is director of the demo centre and POC+ administrator (playground/centres.yaml).
playground: $(STAMP)
	npm ci --prefix playground --no-audit --no-fund --loglevel=error
	@mkdir -p data-playground && cp playground/centres.yaml data-playground/centres.yaml
	@trap 'kill 0' INT TERM EXIT; \
	POOLSTER_DATA_DIR=data-playground POOLSTER_ADMINS=alexw@example.com $(PY) app.py & \
	sleep 3; playground/node_modules/.bin/agentsplayground -e http://127.0.0.1:3978/api/messages -c msteams & \
	wait

## Benchmarks at full size; results in docs/benchmarks.md.
bench: install
	$(PY) scripts/bench.py

## Play the demo centre's members against a running bot (make run first).
demo: $(STAMP)
	$(PY) scripts/demo_centre.py

clean:
	rm -rf $(VENV) tools/cardcheck/node_modules tools/azurite/node_modules build
