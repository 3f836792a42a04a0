#!/usr/bin/env bash
# Runs OpenMentor locally: migrate, seed the demo once, start uvicorn and the worker.
# Ctrl-C stops both.
set -euo pipefail
cd "$(dirname "$0")/.."
export DEBUG=${DEBUG:-1}
HOST=${HOST:-127.0.0.1}
PORT=${PORT:-8000}
export SITE_URL=${SITE_URL:-http://$HOST:$PORT}
PY=.venv/bin/python

mkdir -p var
echo "==> migrating the database"
$PY manage.py migrate --no-input -v 0
echo "==> loading demo data (once)"
$PY manage.py seed_demo

pids=()
stop() {
  trap - INT TERM
  echo
  echo "==> stopping"
  for pid in "${pids[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
  wait "${pids[@]}" 2>/dev/null || true
  echo "==> stopped"
  exit 0
}
trap stop INT TERM

$PY manage.py worker &
pids+=($!)
.venv/bin/uvicorn openmentor.config.asgi:application --host "$HOST" --port "$PORT" --log-level warning &
pids+=($!)

for _ in $(seq 1 100); do
  if $PY -c "import urllib.request,sys; urllib.request.urlopen('http://$HOST:$PORT/accounts/signup/', timeout=1)" 2>/dev/null; then break; fi
  sleep 0.2
done
cat <<TXT

  OpenMentor is running at $SITE_URL
  Demo logins (password: northwind-demo):
    owner@northwind.example     owner
    manager@northwind.example   programme manager
    mentor1@northwind.example   mentor
    mentee1@northwind.example   mentee
  E-mails (sign-up verification, invitations) are printed in this terminal.
  Press Ctrl-C to stop.

TXT
# If either process dies, stop the other one too.
wait -n "${pids[@]}" || true
stop
