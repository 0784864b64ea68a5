#!/usr/bin/env bash
# Check the chat's training data and dialogue: `rasa data validate` must be
# clean, and the test stories must pass with --fail-on-prediction-errors on the latest model in
# models/ (run scripts/rasa-train.sh first).
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=${RASA_BIN:-.venv-rasa/bin}  # the Rasa environment (Python 3.10, rasa 3.6.21)
echo "rasa-check: rasa data validate"
"$BIN/rasa" data validate --fail-on-warnings --config config.yml --domain domain.yml --data data
echo "rasa-check: rasa test core --stories tests/test_stories.yml --fail-on-prediction-errors"
"$BIN/rasa" test core --model models --stories tests/test_stories.yml \
  --fail-on-prediction-errors --out var/rasa-test-results/dialogue
# the repair stories carry the customer's words: --e2e checks the model's intent and entities too
echo "rasa-check: rasa test core --e2e --stories tests/test_stories_repair.yml --fail-on-prediction-errors"
"$BIN/rasa" test core --e2e --model models --stories tests/test_stories_repair.yml \
  --fail-on-prediction-errors --out var/rasa-test-results/repair
