#!/usr/bin/env bash
# WeasyPrint needs Pango from the system; HarfBuzz's subsetter makes PDF rendering about a third faster.
set -u
missing_required=()
missing_optional=()
has_lib() { ldconfig -p 2>/dev/null | grep -q "$1"; }
has_lib 'libpango-1.0.so.0' || missing_required+=(libpango-1.0-0)
has_lib 'libpangoft2-1.0.so.0' || missing_required+=(libpangoft2-1.0-0)
has_lib 'libharfbuzz-subset.so.0' || missing_optional+=(libharfbuzz-subset0)
if ((${#missing_required[@]})); then
  echo "Missing system libraries that WeasyPrint needs to make PDFs: ${missing_required[*]} ${missing_optional[*]}" >&2
  echo "Install them with:  sudo apt-get install -y ${missing_required[*]} ${missing_optional[*]}" >&2
  exit 1
fi
if ((${#missing_optional[@]})); then
  echo "Note: ${missing_optional[*]} is not installed; PDFs will render about a third slower." >&2
  echo "      Install it with:  sudo apt-get install -y ${missing_optional[*]}" >&2
fi
exit 0
