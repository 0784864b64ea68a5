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
	$(BIN)/ruff check core cli web ivr bot tests bench
	$(BIN)/ruff format --check core cli web ivr bot tests bench
	$(BIN)/mypy
	$(BIN)/lint-imports

test: lint
	@scripts/chromium-up.sh >/dev/null || { [ -z "$$FRONTDOOR_REQUIRE_SERVICES" ] || exit 1; echo "Chromium unavailable: browser tests will fail" >&2; }
	@scripts/alertmanager-up.sh >/dev/null || { [ -z "$$FRONTDOOR_REQUIRE_SERVICES" ] || exit 1; echo "Alertmanager unavailable: its test will be skipped" >&2; }
	@url=$$(scripts/postgres-up.sh) || { if [ -n "$$FRONTDOOR_REQUIRE_POSTGRES" ]; then exit 1; fi; url=""; echo "PostgreSQL unavailable: its tests will be skipped" >&2; }; \
	  FRONTDOOR_TEST_POSTGRES_URL="$$url" $(BIN)/python -m pytest -q -p no:cacheprovider -m "not chat_model"

# The chat conversations against the real trained model (Rasa + action server + Chromium). Not
# yet part of `make test`: the model's intent accuracy is below target in some languages, so
# these conversations are not reliable enough to gate CI (issue #4, see the README).
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
