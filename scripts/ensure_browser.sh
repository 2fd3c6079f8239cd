#!/usr/bin/env bash
# Install Debian's headless Chromium (browser tests, screenshots, report --pdf) and poppler-utils
# (pdffonts/pdftotext, which the PDF test uses to read the printed report) when missing.
# Best effort: without root or a package registry the browser tests are skipped with a reason.
need=()
command -v chromium >/dev/null 2>&1 || [ -x /usr/bin/chromium ] || need+=(chromium)
command -v pdffonts >/dev/null 2>&1 || need+=(poppler-utils)
[ ${#need[@]} -eq 0 ] && exit 0
if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
  echo "installing ${need[*]} for the browser and PDF tests (Debian packages)..." >&2
  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}" >/dev/null) \
    || echo "could not install ${need[*]}; the tests that need them will be skipped" >&2
fi
exit 0
