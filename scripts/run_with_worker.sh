#!/usr/bin/env bash
# `make run`: the development server and, beside it, the background worker that renders signed
# PDFs. One command; Ctrl+C (or SIGTERM) stops both, and when the server stops the worker does too.
set -uo pipefail
python=${1:-.venv/bin/python}
address=${2:-127.0.0.1:8000}

# --interval: how often an idle worker looks for work (a signed PDF is ready about this much
# sooner); --no-reload: stop cleanly (restart `make run` after editing task code). The worker runs
# only when the server leaves the CPU idle (scripts/lowest_cpu_priority.sh).
"$(dirname "$0")/lowest_cpu_priority.sh" "$python" manage.py db_worker --interval 0.25 --no-reload &
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
