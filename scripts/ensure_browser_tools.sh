#!/usr/bin/env bash
# The browser tests need Debian's Chromium (Playwright cannot download its own browser here)
# and Java for the Nu HTML checker. Install them when missing, or say exactly how.
set -u
missing=()
[ -x /usr/bin/chromium ] || missing+=(chromium)
command -v java >/dev/null 2>&1 || missing+=(default-jre-headless)
((${#missing[@]})) || exit 0

echo "Installing for the browser tests: ${missing[*]}"
if [ "$(id -u)" -eq 0 ]; then
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" && exit 0
elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
  sudo apt-get update -qq && sudo DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" && exit 0
fi
echo "Could not install ${missing[*]}. Install them with:  sudo apt-get install -y ${missing[*]}" >&2
exit 1
