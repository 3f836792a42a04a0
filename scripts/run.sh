#!/usr/bin/env bash
# Runs OpenMentor locally: migrate, collect static files when DEBUG is off, seed the demo
# once, then supervise uvicorn and the worker. Ctrl-C stops both.
#
# A process that dies is logged and started again after a back-off (1 s, doubling to 30 s,
# back to 1 s once it has stayed up a minute): the web server keeps serving while the
# worker restarts, and work the dead worker held is reclaimed by the new one (task leases).
set -uo pipefail
cd "$(dirname "$0")/.."
export DEBUG=${DEBUG:-1}
HOST=${HOST:-127.0.0.1}
PORT=${PORT:-8000}
WEB_WORKERS=${WEB_WORKERS:-1}
export SITE_URL=${SITE_URL:-http://$HOST:$PORT}
PY=${PY:-.venv/bin/python}
VAR=${OPENMENTOR_VAR_DIR:-var}
RUN_DIR=$VAR/run

log() { echo "$(date -u +%Y-%m-%dT%H:%M:%SZ) run.sh: $*" >&2; }
fail() { log "$*"; exit 1; }

mkdir -p "$RUN_DIR"
echo "==> migrating the database"
$PY manage.py migrate --no-input -v 0 || fail "migrate failed"
case "${DEBUG,,}" in
  0|false|no|off|"")
    # Production storage serves files from the manifest collectstatic writes; without it
    # every page that names a static file is a server error.
    echo "==> collecting static files"
    $PY manage.py collectstatic --no-input -v 0 || fail "collectstatic failed"
    ;;
esac
if [ "${SEED_DEMO:-1}" != 0 ]; then
  echo "==> loading demo data (once)"
  $PY manage.py seed_demo || fail "seed_demo failed"
fi

# supervise NAME COMMAND...: runs COMMAND, restarting it with a back-off when it exits.
# Its current pid is in $RUN_DIR/NAME.pid (the fault tests read it).
supervise() {
  local name=$1
  shift
  local child=0 delay=1 started rc
  trap 'kill -TERM "$child" 2>/dev/null; wait "$child" 2>/dev/null; exit 0' TERM INT
  while true; do
    started=$SECONDS
    "$@" &
    child=$!
    echo "$child" >"$RUN_DIR/$name.pid"
    wait "$child"
    rc=$?
    if ((SECONDS - started >= 60)); then delay=1; fi
    log "$name (pid $child) exited with status $rc; restarting in ${delay} s"
    sleep "$delay" &
    wait $!
    delay=$((delay * 2 > 30 ? 30 : delay * 2))
  done
}

supervisors=()
stop() {
  trap - INT TERM
  echo
  echo "==> stopping"
  for pid in "${supervisors[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
  wait "${supervisors[@]}" 2>/dev/null || true
  echo "==> stopped"
  exit 0
}
trap stop INT TERM

supervise worker $PY manage.py worker &
supervisors+=($!)
web=(.venv/bin/uvicorn openmentor.config.asgi:application --host "$HOST" --port "$PORT"
  --log-level warning --no-access-log --timeout-graceful-shutdown 10)
# More than one web process needs REDIS_URL: the in-memory channel layer is per process.
if ((WEB_WORKERS > 1)); then web+=(--workers "$WEB_WORKERS"); fi
supervise web "${web[@]}" &
supervisors+=($!)

for _ in $(seq 1 100); do
  if $PY -c "import urllib.request,sys; urllib.request.urlopen('http://$HOST:$PORT/accounts/login/', timeout=1)" 2>/dev/null; then break; fi
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
# The supervisors only end when stopped; wait returns early on a signal, so wait again.
while kill -0 "${supervisors[@]}" 2>/dev/null; do
  wait || true
done
