#!/usr/bin/env bash
# Print the path of a Python 3.10 interpreter (PATH first, then pyenv), or say what to install.
set -euo pipefail
for candidate in python3.10 "$(command -v pyenv >/dev/null 2>&1 && pyenv root)/versions/"3.10*/bin/python3.10; do
  if [ -n "$candidate" ] && "$candidate" -c 'import sys; assert sys.version_info[:2] == (3, 10)' >/dev/null 2>&1; then
    command -v "$candidate" || echo "$candidate"
    exit 0
  fi
done
echo "frontdoor needs Python 3.10 (Rasa 3.6 supports 3.8-3.10 only): install it, e.g. 'pyenv install 3.10.13', then run make again." >&2
exit 1
