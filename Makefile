# The two commands a newcomer needs: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed-stamp

.PHONY: run test lint bench clean assets

$(STAMP): pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[test]'
	touch $(STAMP)

# axe-core (package.json) for the browser tests' accessibility scans; without npm the
# scans are skipped, except in CI where they must run.
NODE_STAMP := node_modules/.installed-stamp
ifneq ($(and $(wildcard package.json),$(shell command -v npm)),)
NODE_DEPS := $(NODE_STAMP)
endif

$(NODE_STAMP): package.json package-lock.json
	npm ci --no-audit --no-fund
	touch $(NODE_STAMP)

## assets: rebuild the committed code editor bundle, quizapp/static/editor.bundle.js, from
## quizapp/static/editor/ (needs Node and npm; `run` and `test` use the committed bundle)
assets:
	npm ci --no-audit --no-fund
	touch $(NODE_STAMP)
	npm run build

## run: set up .venv, bring the SQLite database up to date, load questions/, serve on :5000
run: $(STAMP)
	$(VENV)/bin/quizapp run --host 127.0.0.1 --port 5000

## test: the whole suite (set TEST_DATABASE_URL to run the database tests on PostgreSQL too)
test: $(STAMP) $(NODE_DEPS)
	$(PY) -m pytest $(PYTEST_ARGS)
	$(VENV)/bin/ruff check .

lint: $(STAMP)
	$(VENV)/bin/ruff check .

bench: $(STAMP)
	$(PY) bench/banks.py

clean:
	rm -rf $(VENV) instance .pytest_cache .hypothesis
