#!/usr/bin/env bash
# Train the chat model into models/ when config.yml, domain.yml, data/ or the Rasa version
# changed. The digest of those inputs is kept in models/.inputs-sha256 beside the name of the
# model trained from them: unchanged inputs and that model still there, nothing starts (well
# under a second). Otherwise Rasa trains (it prints its epochs as it goes), and only the newest
# KEEP_MODELS models (default 3) are kept.
# Usage: scripts/rasa-train.sh [extra rasa train options]
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=${RASA_BIN:-.venv-rasa/bin}  # the Rasa environment (Python 3.10, rasa 3.6.21)
KEEP_MODELS=${KEEP_MODELS:-3}
STAMP=models/.inputs-sha256
mkdir -p models

digest=$( { grep -h '^rasa==' requirements/rasa.txt; \
  find config.yml domain.yml data -type f -name '*.yml' | LC_ALL=C sort | xargs sha256sum; } \
  | sha256sum | cut -d' ' -f1)
if [ -f "$STAMP" ] && [ $# -eq 0 ]; then
  read -r stamped model < "$STAMP" || true
  if [ "$stamped" = "$digest" ] && [ -f "models/$model" ]; then
    echo "rasa-train: config.yml, domain.yml and data/ unchanged: models/$model"
    exit 0
  fi
fi

echo "rasa-train: training (config.yml, domain.yml or data/ changed, or no model yet)"
start=$(date +%s)
# --skip-validation: scripts/rasa-check.sh runs `rasa data validate --fail-on-warnings` (make test).
# No Rasa training cache by default: writing every component's output (the featurised training
# data among it) costs more than a from-scratch training gains from it (unchanged inputs train
# nothing at all, above). Iterating on stories and rules only, RASA_MAX_CACHE_SIZE=1000 keeps
# the NLU components between trainings.
export RASA_MAX_CACHE_SIZE=${RASA_MAX_CACHE_SIZE:-0}
"$BIN/rasa" train --skip-validation --config config.yml --domain domain.yml --data data --out models "$@"
latest=$(ls -t models/*.tar.gz | head -1)
echo "$digest $(basename "$latest")" > "$STAMP"
ls -t models/*.tar.gz | tail -n +$((KEEP_MODELS + 1)) | xargs -r rm -f
echo "rasa-train: done in $(( $(date +%s) - start )) s; latest model: $latest (kept: $(ls models/*.tar.gz | wc -l))"
