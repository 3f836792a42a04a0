#!/usr/bin/env bash
# The whole suite: unit, integration and browser tests. Tests that open WebRTC
# connections run in a network namespace with only loopback (../shared/specs/browser-tests.md).
set -euo pipefail
cd "$(dirname "$0")/.."
PYTEST=(.venv/bin/python -m pytest)
"${PYTEST[@]}" -m "not webrtc" --ignore=tests/e2e "$@"
# Browser tests in a run of their own (see tests/e2e/conftest.py).
"${PYTEST[@]}" -m "not webrtc" tests/e2e "$@"
# The WebRTC tests (if any) in a loopback-only namespace; exit 5 means none exist yet.
if [ "$(id -u)" = "0" ] && command -v unshare >/dev/null; then
  # Inside the namespace only its own loopback exists, so TCP services started outside are
  # out of reach: PostgreSQL on this host is reached through its unix socket, and a Redis of
  # the run's own is started inside the namespace on the port REDIS_URL names.
  if [[ "${DATABASE_URL:-}" =~ ^(postgres(ql)?://([^@/]*@)?)(127\.0\.0\.1|localhost)(:[0-9]+)?/(.*)$ ]]; then
    export DATABASE_URL="${BASH_REMATCH[1]}%2Fvar%2Frun%2Fpostgresql/${BASH_REMATCH[6]}"
  fi
  redis_port=""
  if [[ "${REDIS_URL:-}" =~ ^redis://(127\.0\.0\.1|localhost)(:([0-9]+))?(/.*)?$ ]]; then
    redis_port="${BASH_REMATCH[3]:-6379}"
  fi
  set +e
  REDIS_PORT_IN_NAMESPACE="$redis_port" unshare -n bash -c '
    ip link set lo up
    if [ -n "$REDIS_PORT_IN_NAMESPACE" ]; then
      redis-server --bind 127.0.0.1 --port "$REDIS_PORT_IN_NAMESPACE" --save "" --appendonly no \
        --daemonize yes --dir /tmp --logfile /tmp/openmentor-namespace-redis.log
      for _ in $(seq 1 50); do redis-cli -p "$REDIS_PORT_IN_NAMESPACE" ping >/dev/null 2>&1 && break; sleep 0.1; done
    fi
    "$@"
    rc=$?
    if [ -n "$REDIS_PORT_IN_NAMESPACE" ]; then
      redis-cli -p "$REDIS_PORT_IN_NAMESPACE" shutdown nosave >/dev/null 2>&1
    fi
    exit $rc' _ "${PYTEST[@]}" -m webrtc -q tests/e2e "$@"
  rc=$?
  set -e
  if [ "$rc" != 0 ] && [ "$rc" != 5 ]; then exit "$rc"; fi
else
  echo "note: not root, so the WebRTC tests (marker webrtc) were not run: they need 'unshare -n'." >&2
fi
