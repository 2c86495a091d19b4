# LookCloser Reporter. `make run` serves the app; `make test` runs lint and every test.
# Only Python 3.11+ is needed: everything else is installed into .venv by these targets.

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 5000
export REPORTER_BASE_URL ?= http://127.0.0.1:$(PORT)
FLASK := $(BIN)/flask --app wsgi
LOCALES_DIR := translations
export PYTHONDONTWRITEBYTECODE := 1

.DEFAULT_GOAL := help
.PHONY: help run test quick lint format compile extract update check-translations postcodes bench \
        db-upgrade demo-data browser-deps fault-deps bench-deps qr-deps pdf-deps proxy-deps clean

help: ## List the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-20s %s\n", $$1, $$2}'

$(BIN)/activate:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

$(VENV)/.installed: requirements.txt requirements-dev.txt | $(BIN)/activate
	$(BIN)/pip install --quiet -r requirements-dev.txt
	touch $@

install: $(VENV)/.installed ## Create the virtual env and install pinned requirements

compile: $(VENV)/.installed ## Compile translations (.po -> .mo; .mo is never committed)
	@if ls $(LOCALES_DIR)/*/LC_MESSAGES/messages.po >/dev/null 2>&1; then \
	  $(BIN)/pybabel -q compile -d $(LOCALES_DIR) && \
	  echo "Translations compiled: $$(ls $(LOCALES_DIR)/*/LC_MESSAGES/messages.po | wc -l) languages besides English."; fi

extract: $(VENV)/.installed ## Extract translatable strings into translations/messages.pot
	$(BIN)/python -m babel.messages.frontend extract --no-location --omit-header --sort-output -F babel.cfg \
	  -k _l -k lazy_gettext --add-comments=Translators: -o $(LOCALES_DIR)/messages.pot .
	$(BIN)/python scripts/mark_safety.py

update: extract ## Merge new strings into every catalogue
	$(BIN)/pybabel update --no-fuzzy-matching --ignore-obsolete --no-wrap \
	  -i $(LOCALES_DIR)/messages.pot -d $(LOCALES_DIR)

check-translations: $(VENV)/.installed ## Fail on a stale template, a missing/fuzzy string or a broken placeholder
	$(BIN)/python scripts/check_translations.py

db-upgrade: $(VENV)/.installed ## Apply database migrations
	@mkdir -p instance
	@out=$$($(FLASK) db upgrade 2>&1) || { echo "$$out"; exit 1; }; \
	  echo "Database migrated: $$($(FLASK) db current 2>/dev/null | tail -n 1)"

# Staff first, so that the demo's urgent reports have someone to alert. The accounts and entry
# links are printed every time, last: a restart shows them again.
demo-data: db-upgrade ## Add demo staff accounts and reports (development only, once), print them
	@REPORTER_ENV=development $(FLASK) users demo --quiet
	@REPORTER_ENV=development $(FLASK) demo-data --if-empty
	@REPORTER_ENV=development $(FLASK) demo-data show

# --debug: development runs with Flask's debugger and reloader, as README says.
run: compile demo-data pdf-deps ## Set everything up and serve on http://127.0.0.1:$(PORT), with the outbox worker
	@REPORTER_ENV=development $(FLASK) outbox work & worker=$$!; \
	  trap 'kill $$worker 2>/dev/null; wait $$worker' EXIT INT TERM; \
	  REPORTER_ENV=development $(FLASK) run --debug --port $(PORT)

lint: $(VENV)/.installed ## ruff lint and format check, and mypy type check (config in pyproject.toml)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

format: $(VENV)/.installed ## Format the code
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

# Debian's Noto fonts for every script the form is offered in: fonts-noto-core (42 MB) has
# Latin, Cyrillic, Arabic (ar, ur, ckb), Bengali, Gurmukhi (pa) and Ethiopic (ti), so pages and
# screenshots show letters, not boxes. (fonts-noto-extra, 334 MB, adds only weights.)
BROWSER_FONTS := fonts-noto-core
BROWSER_PACKAGES := chromium $(BROWSER_FONTS)

browser-deps: ## Debian's Chromium and Noto fonts for the browser tests (never a downloaded browser)
	@missing=$$(for p in $(BROWSER_PACKAGES); do \
	  dpkg-query -W -f='$${Status}' $$p 2>/dev/null | grep -q "ok installed" || echo $$p; done); \
	if [ -n "$$missing" ]; then \
	  echo "Installing from Debian: $$missing"; \
	  { apt-get update -qq && apt-get install -y -qq --no-install-recommends $$missing >/dev/null; } || \
	    echo "!!! could not install $$missing: browser tests will fail or screenshots show boxes"; \
	fi

fault-deps: ## redis-server and PostgreSQL's initdb/pg_ctl for the fault-injection tests
	@{ command -v redis-server && ls /usr/lib/postgresql/*/bin/initdb; } >/dev/null 2>&1 || \
	  { (apt-get update -qq && apt-get install -y -qq redis-server postgresql >/dev/null) || \
	    echo "!!! could not install redis-server/postgresql: fault-injection tests will be skipped"; }

proxy-deps: ## Debian's nginx: the tests run deploy/nginx-cache.conf in front of gunicorn, as production does
	@command -v nginx >/dev/null || test -x /usr/sbin/nginx || \
	  { (apt-get update -qq && apt-get install -y -qq --no-install-recommends nginx-light >/dev/null) || \
	    echo "!!! could not install nginx: the proxy cache test will say NOT TESTED"; }

# WeasyPrint (the poster PDFs) lays text out with Pango, which shapes through HarfBuzz; both come
# from Debian, with the Noto fonts of every script the posters are printed in.
PDF_PACKAGES := libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 $(BROWSER_FONTS)

pdf-deps: ## Debian's Pango, HarfBuzz and Noto fonts: WeasyPrint draws the poster PDFs with them
	@missing=$$(for p in $(PDF_PACKAGES); do \
	  dpkg-query -W -f='$${Status}' $$p 2>/dev/null | grep -q "ok installed" || echo $$p; done); \
	if [ -n "$$missing" ]; then \
	  echo "Installing from Debian: $$missing"; \
	  { apt-get update -qq && apt-get install -y -qq --no-install-recommends $$missing >/dev/null; } || \
	    echo "!!! could not install $$missing: poster PDFs cannot be made, or show boxes for letters"; \
	fi

qr-deps: ## Debian's zbar-tools: the tests read posters' QR codes with zbarimg, as a phone would
	@command -v zbarimg >/dev/null || \
	  { (apt-get update -qq && apt-get install -y -qq zbar-tools >/dev/null) || \
	    echo "!!! could not install zbar-tools: the QR code tests will fail"; }

test: lint check-translations compile browser-deps fault-deps qr-deps pdf-deps proxy-deps ## Lint, then the whole suite on SQLite, and on PostgreSQL when TEST_DATABASE_URL is set
	env -u TEST_DATABASE_URL $(BIN)/python -m pytest -q
	@if [ -n "$$TEST_DATABASE_URL" ]; then \
	  echo "=== again on PostgreSQL ($$TEST_DATABASE_URL)"; \
	  $(BIN)/python -m pytest -q -m "not browser"; \
	else echo "!!! TEST_DATABASE_URL is not set: the suite did NOT run on PostgreSQL"; fi

quick: compile ## The fast loop: the suite on SQLite without lint or browser tests (not a substitute for make test)
	env -u TEST_DATABASE_URL -u TEST_REDIS_URL $(BIN)/python -m pytest -q -m "not browser" -x

postcodes: $(VENV)/.installed ## Rebuild reporter/reference/postcodes.json from the ONS data
	$(BIN)/python scripts/build_postcodes.py

bench-deps: ## Debian's wrk, the load generator of the HTTP benchmarks
	@command -v wrk >/dev/null || \
	  { (apt-get update -qq && apt-get install -y -qq wrk >/dev/null) || \
	    echo "!!! could not install wrk: the HTTP benchmarks will say NOT MEASURED"; }

bench: $(VENV)/.installed bench-deps ## Run the benchmarks in bench/ (PostgreSQL and Redis: BENCH_POSTGRES_URL, BENCH_REDIS_URL)
	$(BIN)/python -m bench

clean: ## Remove the virtual env, compiled translations and caches
	rm -rf $(VENV) .pytest_cache .ruff_cache
	find $(LOCALES_DIR) -name '*.mo' -delete 2>/dev/null || true
