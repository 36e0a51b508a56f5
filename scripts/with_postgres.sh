#!/usr/bin/env bash
# Run a command against a throwaway PostgreSQL server on loopback, then stop it.
#   scripts/with_postgres.sh make test
# Installs Debian's postgresql when missing. The server lives in a temporary folder and listens on
# 127.0.0.1 only. Two roles, as in production (docs/security.md, "Database roles"): the app
# connects as exosafe_app (DATABASE_URL), which owns nothing; migrations and operator commands as
# the tables' owner exosafe_owner (DATABASE_MIGRATE_URL), which may also create the test databases.
# The test suite connects as the owner and checks the runtime role on a second connection.
set -euo pipefail

pg_bin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1 || true)
if [ -z "$pg_bin" ]; then
  echo "Installing PostgreSQL (Debian package postgresql)..."
  sudo_cmd=""; [ "$(id -u)" -ne 0 ] && sudo_cmd="sudo"
  $sudo_cmd apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y -qq --no-install-recommends postgresql >/dev/null
  pg_bin=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n 1)
fi

port=${EXOSAFE_PG_PORT:-54329}
data=$(mktemp -d /tmp/exosafe-pg.XXXXXX)
run_as=()
if [ "$(id -u)" -eq 0 ]; then
  # PostgreSQL refuses to run as root: run the server as the postgres system user.
  id postgres >/dev/null 2>&1 || useradd --system --home-dir /var/lib/postgresql postgres
  chown postgres "$data"
  run_as=(runuser -u postgres --)
fi

cleanup() {
  "${run_as[@]}" "$pg_bin/pg_ctl" -D "$data/db" -m fast stop >/dev/null 2>&1 || true
  rm -rf "$data"
}
trap cleanup EXIT

"${run_as[@]}" "$pg_bin/initdb" -D "$data/db" -U postgres --auth=trust -E UTF8 >/dev/null
"${run_as[@]}" "$pg_bin/pg_ctl" -D "$data/db" -l "$data/server.log" -w \
  -o "-c listen_addresses=127.0.0.1 -p $port -k $data -c fsync=off -c full_page_writes=off" start >/dev/null
"$pg_bin/psql" -h 127.0.0.1 -p "$port" -U postgres -q -v ON_ERROR_STOP=1 \
  -c "CREATE ROLE exosafe_owner LOGIN PASSWORD 'exosafe_owner' CREATEDB" \
  -c "CREATE ROLE exosafe_app LOGIN PASSWORD 'exosafe_app'" \
  -c "CREATE DATABASE exosafe OWNER exosafe_owner" >/dev/null

echo "PostgreSQL $("$pg_bin/postgres" --version | awk '{print $3}') on 127.0.0.1:$port"
export DATABASE_URL="postgres://exosafe_app:exosafe_app@127.0.0.1:$port/exosafe"
export DATABASE_MIGRATE_URL="postgres://exosafe_owner:exosafe_owner@127.0.0.1:$port/exosafe"
"$@"
