#!/usr/bin/env bash
# Browser tests drive Debian's Chromium; install it when we can (root), else say how.
set -euo pipefail
if [ -x /usr/bin/chromium ]; then exit 0; fi
if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
  echo "==> installing Chromium from Debian's packages (about 30 s)"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq chromium >/dev/null
  exit 0
fi
echo "error: the browser tests need Debian's Chromium at /usr/bin/chromium." >&2
echo "       Install it with:  sudo apt-get install chromium   (then run make test again)" >&2
exit 1
