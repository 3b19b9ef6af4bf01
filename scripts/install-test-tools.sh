#!/usr/bin/env bash
# Installs Debian's Chromium for the interop tests (test/interop), when it is not there yet.
# The interop tests drive /usr/bin/chromium through playwright-core; playwright never downloads a
# browser of its own here (nothing outside the package registries is reachable).
set -euo pipefail
if [ -x /usr/bin/chromium ]; then
  echo "install-chromium: /usr/bin/chromium is present ($(/usr/bin/chromium --version 2>/dev/null || echo 'version unknown'))"
  exit 0
fi
SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update
$SUDO apt-get install -y --no-install-recommends chromium
echo "install-chromium: installed $(/usr/bin/chromium --version 2>/dev/null || echo chromium)"
