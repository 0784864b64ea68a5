# frontdoor: `make run` starts everything on SQLite with demo data; `make test` runs the suite.
SHELL := /bin/bash
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp
PORT ?= 5000

.PHONY: run test test-chat install db lint unit integration bench clean

install: $(STAMP)

$(STAMP): pyproject.toml
	@py=$$(scripts/python310.sh) || exit 1; \
	  if [ ! -x $(BIN)/python ] || ! $(BIN)/python -c 'import sys; assert sys.version_info[:2]==(3,10)' 2>/dev/null; then \
	    rm -rf $(VENV); echo "creating $(VENV) with $$py"; "$$py" -m venv $(VENV); fi
	$(BIN)/python -m pip install -q --upgrade pip wheel 'setuptools<71'
	$(BIN)/python -m pip install -q -e '.[dev]'
	@touch $@

db: $(STAMP)
	$(BIN)/frontdoor db upgrade
	$(BIN)/frontdoor demo load

run: $(STAMP)
	VENV_BIN=$(BIN) FRONTDOOR_PORT=$(PORT) scripts/run.sh

lint: $(STAMP)
	$(BIN)/ruff check core cli web ivr bot tests bench phonesim
	$(BIN)/ruff format --check core cli web ivr bot tests bench phonesim
	$(BIN)/mypy
	$(BIN)/lint-imports

# The whole suite: lint, the real services, the chat model (trained unless config.yml, domain.yml
# and data/ are unchanged since the last model), `rasa data validate` and the test stories with
# --fail-on-prediction-errors, then every test, the conversations against the model included.
test: lint
	@scripts/chromium-up.sh >/dev/null || { [ -z "$$FRONTDOOR_REQUIRE_SERVICES" ] || exit 1; echo "Chromium unavailable: browser tests will fail" >&2; }
	@scripts/alertmanager-up.sh >/dev/null || { [ -z "$$FRONTDOOR_REQUIRE_SERVICES" ] || exit 1; echo "Alertmanager unavailable: its test will be skipped" >&2; }
	VENV_BIN=$(BIN) scripts/rasa-train.sh
	VENV_BIN=$(BIN) scripts/rasa-check.sh
	@url=$$(scripts/postgres-up.sh) || { if [ -n "$$FRONTDOOR_REQUIRE_POSTGRES" ]; then exit 1; fi; url=""; echo "PostgreSQL unavailable: its tests will be skipped" >&2; }; \
	  FRONTDOOR_TEST_POSTGRES_URL="$$url" $(BIN)/python -m pytest -q -p no:cacheprovider

# Only the conversations against the trained model (Rasa + action server + Chromium).
test-chat: lint
	@scripts/chromium-up.sh >/dev/null
	VENV_BIN=$(BIN) scripts/rasa-train.sh
	$(BIN)/python -m pytest -q -p no:cacheprovider -m chat_model

unit: $(STAMP)
	$(BIN)/python -m pytest -q tests/unit

bench: $(STAMP)
	$(BIN)/python bench/bench_core.py

clean:
	rm -rf $(VENV) var .pytest_cache .mypy_cache .ruff_cache .hypothesis
