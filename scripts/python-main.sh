#!/usr/bin/env bash
# Print the path of the Python for the main environment: a supported CPython, 3.13 or 3.12
# (PATH first, then pyenv), or say what to install. Everything but the Rasa server runs on it.
set -euo pipefail
root=$(command -v pyenv >/dev/null 2>&1 && pyenv root || echo "$HOME/.pyenv")
for minor in 13 12; do
  for candidate in "python3.$minor" "$root/versions/"3.$minor*/bin/python3.$minor; do
    if "$candidate" -c "import sys, venv; assert sys.version_info[:2] == (3, $minor)" >/dev/null 2>&1; then
      command -v "$candidate" || echo "$candidate"
      exit 0
    fi
  done
done
echo "frontdoor needs Python 3.13 or 3.12 for its main environment: install one, e.g. 'pyenv install 3.13', then run make again." >&2
exit 1
