#!/usr/bin/env bash
# Runs every bench/ script; each prints figures and ends with one RESULT line.
set -euo pipefail
cd "$(dirname "$0")/.."
for script in bench/[!_]*.py; do
  echo "==> $script"
  .venv/bin/python "$script" "$@"
done
