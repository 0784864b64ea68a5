#!/usr/bin/env bash
# Train the chat model into models/ when config.yml, domain.yml or data/ changed. Rasa compares
# the fingerprint of its inputs with the latest model in models/ and skips an unchanged one;
# training prints its progress (epochs) as it goes.
# Usage: scripts/rasa-train.sh [extra rasa train options]
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=${RASA_BIN:-.venv-rasa/bin}  # the Rasa environment (Python 3.10, rasa 3.6.21)
echo "rasa-train: checking config.yml, domain.yml and data/ against the latest model in models/"
start=$(date +%s)
"$BIN/rasa" train --config config.yml --domain domain.yml --data data --out models "$@"
echo "rasa-train: done in $(( $(date +%s) - start )) s; latest model: $(ls -t models/*.tar.gz | head -1)"
