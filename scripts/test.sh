#!/usr/bin/env bash
# The whole suite: unit, integration and browser tests. Tests that open WebRTC
# connections run in a network namespace with only loopback (see docs/testing.md).
set -euo pipefail
cd "$(dirname "$0")/.."
PYTEST=(.venv/bin/python -m pytest)
"${PYTEST[@]}" -m "not webrtc" --ignore=tests/e2e "$@"
# Browser tests in a run of their own (see tests/e2e/conftest.py).
"${PYTEST[@]}" -m "not webrtc" tests/e2e "$@"
# The WebRTC tests (if any) in a loopback-only namespace; exit 5 means none exist yet.
if [ "$(id -u)" = "0" ] && command -v unshare >/dev/null; then
  set +e
  unshare -n bash -c 'ip link set lo up && exec "$@"' _ "${PYTEST[@]}" -m webrtc -q tests/e2e "$@"
  rc=$?
  set -e
  if [ "$rc" != 0 ] && [ "$rc" != 5 ]; then exit "$rc"; fi
else
  echo "note: not root, so the WebRTC tests (marker webrtc) were not run: they need 'unshare -n'." >&2
fi
