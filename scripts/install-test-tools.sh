#!/usr/bin/env bash
# Installs the Debian packages the tests use, when they are not there yet:
#   chromium  the interop and fedkit/playwright tests drive /usr/bin/chromium through
#             playwright-core (playwright never downloads a browser of its own here);
#   strace    test/durability/fsync.test.ts traces which writes are fsync'd before they return.
set -euo pipefail
missing=()
[ -x /usr/bin/chromium ] || missing+=(chromium)
command -v strace >/dev/null 2>&1 || missing+=(strace)
if [ ${#missing[@]} -gt 0 ]; then
  SUDO=""
  if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
  export DEBIAN_FRONTEND=noninteractive
  echo "install-test-tools: installing ${missing[*]}"
  $SUDO apt-get update
  $SUDO apt-get install -y --no-install-recommends "${missing[@]}"
fi
echo "install-test-tools: $(/usr/bin/chromium --version 2>/dev/null || echo 'chromium: version unknown'); $(strace -V 2>/dev/null | head -1 || echo 'strace: version unknown')"
