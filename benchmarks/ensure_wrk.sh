#!/usr/bin/env bash
# The load test needs wrk, a Debian package. Install it when missing, or say exactly how.
set -u
command -v wrk >/dev/null 2>&1 && exit 0

echo "Installing for the benchmarks: wrk"
if [ "$(id -u)" -eq 0 ]; then
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends wrk && exit 0
elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
  sudo apt-get update -qq && sudo DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends wrk && exit 0
fi
echo "Could not install wrk. Install it with:  sudo apt-get install -y wrk" >&2
exit 1
