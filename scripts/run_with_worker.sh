#!/usr/bin/env bash
# `make run`: the development server and, beside it, the background worker that renders signed
# PDFs. One command; Ctrl+C (or SIGTERM) stops both, and when the server stops the worker does too.
#
# It serves the demo as production would show it: debug off, so an unknown address or an error
# gets the app's own page (not Django's technical one), with EXOSAFE_DEMO=1 allowing plain http
# (clinic/settings.py) and a secret key made once for this copy and kept in .demo-secret-key.
# Set DJANGO_DEBUG=1 yourself for Django's debug pages.
set -uo pipefail
python=${1:-.venv/bin/python}
address=${2:-127.0.0.1:8000}
root=$(cd "$(dirname "$0")/.." && pwd)

export DJANGO_DEBUG=${DJANGO_DEBUG:-0}
export EXOSAFE_DEMO=1
if [ -z "${DJANGO_SECRET_KEY:-}" ]; then
    key_file="$root/.demo-secret-key"
    if [ ! -s "$key_file" ]; then
        (umask 077 && head -c 64 /dev/urandom | base64 | tr -d '\n/+=' > "$key_file")
    fi
    DJANGO_SECRET_KEY=$(cat "$key_file")
    export DJANGO_SECRET_KEY
fi

# --interval: how often an idle worker looks for work (a signed PDF is ready about this much
# sooner); --no-reload: stop cleanly (restart `make run` after editing task code). nice: a render
# takes seconds of CPU, so it yields to the server's requests (docs/operations.md, "Running it").
nice -n 10 "$python" manage.py db_worker --interval 0.25 --no-reload &
worker=$!
"$python" manage.py runserver "$address" &
server=$!

stop() {
    trap - INT TERM EXIT
    kill -TERM "$server" "$worker" 2>/dev/null
    wait "$server" "$worker" 2>/dev/null
}
trap 'stop; exit 130' INT
trap 'stop; exit 143' TERM
trap stop EXIT

wait "$server"
