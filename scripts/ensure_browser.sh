#!/usr/bin/env bash
# Install Debian's headless Chromium for the report's browser test when it is missing.
# Best effort: without root or a package registry the browser test is skipped with a reason.
if command -v chromium >/dev/null 2>&1 || [ -x /usr/bin/chromium ]; then exit 0; fi
if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
  echo "installing chromium for the browser test (Debian package)..." >&2
  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null) \
    || echo "could not install chromium; the browser test will be skipped" >&2
fi
exit 0
