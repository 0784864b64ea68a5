#!/usr/bin/env bash
# Refresh the two lock files with the newest releases the ranges allow: requirements/main.txt
# (pyproject.toml with its dev extra, on the main environment's Python) and requirements/rasa.txt
# (requirements/rasa.in, on Python 3.10). Each is resolved in a fresh virtual environment under
# var/upgrade/ and written with `pip freeze`; `make upgrade` then reinstalls both environments.
# Commit the two files only after `make test` has passed with them.
set -euo pipefail
cd "$(dirname "$0")/.."
work=var/upgrade
rm -rf "$work" && mkdir -p "$work"

lock() {  # lock PYTHON NAME PIP-ARGS...
  local python=$1 name=$2; shift 2
  echo "upgrade: resolving requirements/$name.txt with $("$python" --version)"
  "$python" -m venv "$work/$name"
  "$work/$name/bin/python" -m pip install -q --upgrade pip
  "$work/$name/bin/python" -m pip install -q "$@"
  {
    echo "# Locked by scripts/upgrade-locks.sh (make upgrade) on $(date -u +%Y-%m-%d) with $("$python" --version)."
    echo "# Used as a constraints file by make install; do not edit by hand."
    "$work/$name/bin/python" -m pip freeze --exclude-editable | grep -v '^frontdoor[= ]'
  } > "requirements/$name.txt"
}

lock "$(scripts/python-main.sh)" main -e '.[dev]'
lock "$(scripts/python310.sh)" rasa -r requirements/rasa.in
rm -rf "$work"
echo "upgrade: requirements/main.txt and requirements/rasa.txt rewritten; run make test, then commit them"
