# frontdoor: `make run` starts everything on SQLite with demo data; `make test` runs the suite.
SHELL := /bin/bash
# Two environments (docs/runtimes.md): the main one on a supported Python (3.13 or 3.12) runs
# everything but the Rasa server; the Rasa one (Python 3.10, rasa 3.6.21) runs only Rasa.
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp
RASA_VENV := .venv-rasa
RASA_BIN := $(RASA_VENV)/bin
RASA_STAMP := $(RASA_VENV)/.installed-stamp
PORT ?= 5000
export VENV_BIN := $(BIN)
export RASA_BIN

.PHONY: run run-scaled test test-chat rasa-venv install upgrade db lint unit integration bench clean

install: $(STAMP) $(RASA_STAMP)

# requirements/main.txt and requirements/rasa.txt lock what CI tested; `make upgrade` refreshes them.
$(STAMP): pyproject.toml requirements/main.txt
	@py=$$(scripts/python-main.sh) || exit 1; \
	  if [ ! -x $(BIN)/python ] || ! $(BIN)/python -c 'import sys; assert sys.version_info[:2] >= (3, 12)' 2>/dev/null; then \
	    rm -rf $(VENV); echo "creating $(VENV) with $$py"; "$$py" -m venv $(VENV); fi
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -c requirements/main.txt -e '.[dev]'
	@touch $@

$(RASA_STAMP): requirements/rasa.in requirements/rasa.txt
	@py=$$(scripts/python310.sh) || exit 1; \
	  if [ ! -x $(RASA_BIN)/python ] || ! $(RASA_BIN)/python -c 'import sys; assert sys.version_info[:2]==(3,10)' 2>/dev/null; then \
	    rm -rf $(RASA_VENV); echo "creating $(RASA_VENV) with $$py"; "$$py" -m venv $(RASA_VENV); fi
	$(RASA_BIN)/python -m pip install -q --upgrade pip
	$(RASA_BIN)/python -m pip install -q -c requirements/rasa.txt -r requirements/rasa.in
	@touch $@

# Newest releases allowed by pyproject.toml and requirements/rasa.in, into both lock files; then
# reinstall and run `make test` before committing them.
upgrade:
	scripts/upgrade-locks.sh
	rm -f $(STAMP) $(RASA_STAMP)
	$(MAKE) install

db: $(STAMP)
	$(BIN)/frontdoor db upgrade
	$(BIN)/frontdoor demo load

run: install
	FRONTDOOR_PORT=$(PORT) scripts/run.sh

# The scale-out topology on this machine (docs/scale-out.md): haproxy on port 8000, two of each
# process, PostgreSQL and Redis (installed from Debian's packages when missing; needs root).
run-scaled: install
	PORT=$(or $(SCALED_PORT),8000) scripts/run-scaled.sh

lint: $(STAMP)
	$(BIN)/ruff check core cli web ivr bot outbound deploy tests bench phonesim rasaserver
	$(BIN)/ruff format --check core cli web ivr bot outbound deploy tests bench phonesim rasaserver
	$(BIN)/mypy
	$(BIN)/lint-imports

# The whole suite in two streams, one per core (scripts/test.sh): lint, the real services and the
# tests that do not need the chat model on one; the Rasa environment, the model's training
# (unless config.yml, domain.yml and data/ are unchanged since the last model), the conversations
# against the model beside `rasa data validate` and the test stories, then a share of the other
# tests on the other.
test:
	@MAKE="$(MAKE)" scripts/test.sh

rasa-venv: $(RASA_STAMP)

# Only the conversations against the trained model (Rasa + action server + Chromium).
test-chat: lint $(RASA_STAMP)
	@scripts/chromium-up.sh >/dev/null
	scripts/rasa-train.sh
	FRONTDOOR_TEST_POSTGRES_URL="$$(scripts/postgres-up.sh 2>/dev/null)" $(BIN)/python -m pytest -q -p no:cacheprovider -m chat_model

unit: $(STAMP)
	$(BIN)/python -m pytest -q tests/unit

bench: $(STAMP)
	$(BIN)/python bench/bench_core.py

clean:
	rm -rf $(VENV) $(RASA_VENV) var .pytest_cache .mypy_cache .ruff_cache .hypothesis
