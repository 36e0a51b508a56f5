#!/usr/bin/env bash
# `make run`: the development server and, beside it, the background worker that renders signed
# PDFs. One command; Ctrl+C (or SIGTERM) stops both, and when the server stops the worker does too.
#
# It serves the demo as production would show it: debug off, so an unknown address or an error
# gets the app's own page (not Django's technical one), with EXOSAFE_DEMO=1 allowing plain http
# (clinic/settings.py) and a secret key made once for this copy and kept in .demo-secret-key.
# Set DJANGO_DEBUG=1 yourself for Django's debug pages.
#
# It listens on this computer only unless told otherwise (`make run ADDRESS=0.0.0.0:8000`), and
# prints the address a phone or tablet on the same network opens, which the signed PDFs' QR codes
# then point at (EXOSAFE_PUBLIC_URL, unless set).
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

host=${address%:*}
port=${address##*:}
# The address this computer has on its network: the source of its default route, else the first
# IPv4 address it has. Nothing is sent; `ip route get` only asks the routing table.
lan_ip=$(ip -4 route get 1.1.1.1 2>/dev/null | sed -n 's/.* src \([0-9.]*\).*/\1/p' | head -n 1)
if [ -z "$lan_ip" ]; then
    lan_ip=$(hostname -I 2>/dev/null | tr ' ' '\n' | grep -E '^[0-9]+(\.[0-9]+){3}$' | head -n 1)
fi
case "$host" in
    0.0.0.0 | "$lan_ip")
        reach=${lan_ip:-$host}
        export DJANGO_ALLOWED_HOSTS=${DJANGO_ALLOWED_HOSTS:-127.0.0.1,localhost,$reach}
        export EXOSAFE_PUBLIC_URL=${EXOSAFE_PUBLIC_URL:-http://$reach:$port}
        echo "ExoSafe demo: http://127.0.0.1:$port/ on this computer;"
        echo "  on a phone or tablet on the same network: http://$reach:$port/"
        echo "  Anyone on this network can reach it, and the demo accounts' password is public."
        ;;
    *)
        export EXOSAFE_PUBLIC_URL=${EXOSAFE_PUBLIC_URL:-http://$host:$port}
        echo "ExoSafe demo: http://$host:$port/ (this computer only)."
        if [ -n "$lan_ip" ]; then
            echo "  For a phone or tablet on the same network, serve on the network with"
            echo "      make run ADDRESS=0.0.0.0:$port"
            echo "  and open http://$lan_ip:$port/ on it (the QR codes of PDFs signed then point there too)."
        fi
        ;;
esac
echo "  QR codes in PDFs signed now point at $EXOSAFE_PUBLIC_URL (set EXOSAFE_PUBLIC_URL to change it)."

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
