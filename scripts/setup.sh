#!/usr/bin/env bash
# Creates .venv with the machine's python3 (3.11 or newer) and installs OpenMentor into it.
set -euo pipefail
cd "$(dirname "$0")/.."
PYTHON=${PYTHON:-python3}
if ! command -v "$PYTHON" >/dev/null 2>&1; then
  echo "error: $PYTHON not found. OpenMentor needs Python 3.11 or newer (apt-get install python3 python3-venv)." >&2
  exit 1
fi
if ! "$PYTHON" -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else 1)'; then
  found=$("$PYTHON" -c 'import platform; print(platform.python_version())')
  echo "error: OpenMentor needs Python 3.11 or newer; $PYTHON is $found." >&2
  exit 1
fi
if [ ! -x .venv/bin/python ]; then
  echo "==> creating .venv with $("$PYTHON" --version)"
  "$PYTHON" -m venv .venv || { echo "error: could not create a virtual environment (on Debian: apt-get install python3-venv)" >&2; exit 1; }
fi
# WeasyPrint (the dashboard's PDF) draws with Pango, a system library.
if ! ldconfig -p 2>/dev/null | grep -q 'libpangoft2-1.0.so.0'; then
  if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
    echo "==> installing Pango for the PDF reports (apt-get)"
    apt-get update -qq && apt-get install -y -qq libpango-1.0-0 libpangoft2-1.0-0 >/dev/null
  else
    echo "warning: Pango is missing; PDF reports need it (apt-get install libpango-1.0-0 libpangoft2-1.0-0)" >&2
  fi
fi
echo "==> installing Python packages into .venv (first time takes a few minutes)"
.venv/bin/python -m pip install --quiet --upgrade pip
.venv/bin/python -m pip install --quiet --progress-bar off -e '.[dev]'
echo "==> environment ready"
