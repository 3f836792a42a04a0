#!/usr/bin/env bash
# Group calls go through the Janus gateway: the group browser test starts Debian's janus
# itself, and the call page serves janus.js and adapter.js from Debian's packages (no CDN).
set -euo pipefail
if command -v janus >/dev/null 2>&1 \
  && [ -f /usr/share/javascript/janus-gateway/janus.js ] \
  && [ -f /usr/share/javascript/webrtc-adapter/adapter.js ]; then exit 0; fi
if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
  echo "==> installing Janus and its JavaScript client from Debian's packages"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends janus libjs-janus-gateway libjs-webrtc-adapter >/dev/null
  exit 0
fi
echo "note: Janus is not installed, so the group-call browser test will skip." >&2
echo "      Install it with:  sudo apt-get install janus libjs-janus-gateway libjs-webrtc-adapter" >&2
