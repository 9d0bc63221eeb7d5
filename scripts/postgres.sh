#!/usr/bin/env bash
# A throwaway PostgreSQL for the storage tests (and for trying the server on
# PostgreSQL): installs Debian's postgresql package if missing, creates a
# cluster under /tmp on 127.0.0.1:55432 (trust authentication, no fsync: test
# data only, never a deployment), starts it, creates the database
# legevakt_test, and prints its connection URL on stdout. Logs go to stderr.
# Safe to run again, and concurrently: when the cluster runs it takes well
# under a second.
#
#   LEGEVAKT_PG_PORT  port (default 55432)
#   LEGEVAKT_PG_DIR   cluster directory (default /tmp/legevakt-postgres-$PORT)
#   stop              as the first argument: stop the cluster instead
set -euo pipefail

PORT=${LEGEVAKT_PG_PORT:-55432}
BASE=${LEGEVAKT_PG_DIR:-/tmp/legevakt-postgres-$PORT}
DATA=$BASE/data
DB=legevakt_test
log() { echo "[postgres] $*" >&2; }

# --- the server binaries --------------------------------------------------------
pg_bin() { find /usr/lib/postgresql -maxdepth 3 -path '*/bin/initdb' 2>/dev/null | sort -V | tail -n 1 | xargs -r dirname; }
BIN=$(pg_bin)
if [ -z "$BIN" ]; then
	if [ "$(id -u)" != 0 ]; then
		log "PostgreSQL is not installed: as root, run apt-get install postgresql (or run this script as root)"
		exit 1
	fi
	log "installing Debian's postgresql package"
	export DEBIAN_FRONTEND=noninteractive
	apt-get update -qq
	apt-get install -y -qq --no-install-recommends postgresql >/dev/null
	BIN=$(pg_bin)
	[ -n "$BIN" ] || {
		log "postgresql installed but no initdb under /usr/lib/postgresql"
		exit 1
	}
fi
VERSION=$(basename "$(dirname "$BIN")")

# The cluster belongs to the postgres user when we are root (PostgreSQL refuses to run as root).
if [ "$(id -u)" = 0 ]; then
	OWNER=postgres
	as_owner() { runuser -u postgres -- "$@"; }
else
	OWNER=$(id -un)
	as_owner() { "$@"; }
fi

# One caller at a time (test files start in parallel); the lock file sits beside the cluster.
mkdir -p "$(dirname "$BASE")"
exec 9>"$BASE.lock"
flock 9

if [ "${1:-}" = stop ]; then
	if [ -f "$DATA/PG_VERSION" ] && as_owner "$BIN/pg_ctl" status -D "$DATA" >/dev/null 2>&1; then
		as_owner "$BIN/pg_ctl" stop -D "$DATA" -m fast -w >&2
	fi
	exit 0
fi

# --- the cluster ------------------------------------------------------------------
if [ -f "$DATA/PG_VERSION" ] && [ "$(cat "$DATA/PG_VERSION")" != "$VERSION" ]; then
	log "cluster in $DATA is PostgreSQL $(cat "$DATA/PG_VERSION"), binaries are $VERSION: recreating it"
	as_owner "$BIN/pg_ctl" stop -D "$DATA" -m immediate >/dev/null 2>&1 || true
	rm -rf "$DATA"
fi
if [ ! -f "$DATA/PG_VERSION" ]; then
	log "creating a PostgreSQL $VERSION cluster in $DATA"
	rm -rf "$DATA"
	mkdir -p "$BASE"
	chown "$OWNER" "$BASE"
	chmod 700 "$BASE"
	as_owner "$BIN/initdb" -D "$DATA" -U postgres --auth=trust --encoding=UTF8 --locale=C.UTF-8 >"$BASE/initdb.log" 2>&1 || {
		cat "$BASE/initdb.log" >&2
		exit 1
	}
	cat >>"$DATA/postgresql.conf" <<EOF

# legevakt test cluster (scripts/postgres.sh): loopback only, speed over durability.
listen_addresses = '127.0.0.1'
port = $PORT
unix_socket_directories = '$BASE'
max_connections = 200
fsync = off
synchronous_commit = off
full_page_writes = off
EOF
fi

if ! as_owner "$BIN/pg_ctl" status -D "$DATA" >/dev/null 2>&1; then
	log "starting PostgreSQL $VERSION on 127.0.0.1:$PORT"
	# 9>&-: the server must not inherit the lock, or it would hold it for as long as it runs.
	if ! as_owner "$BIN/pg_ctl" start -D "$DATA" -l "$BASE/server.log" -w -t 60 >/dev/null 9>&-; then
		log "PostgreSQL did not start; the end of $BASE/server.log:"
		tail -n 20 "$BASE/server.log" >&2 || true
		exit 1
	fi
fi

for _ in $(seq 1 100); do
	"$BIN/pg_isready" -q -h 127.0.0.1 -p "$PORT" && break
	sleep 0.1
done
"$BIN/pg_isready" -q -h 127.0.0.1 -p "$PORT" || {
	log "PostgreSQL is not accepting connections on 127.0.0.1:$PORT"
	exit 1
}

psql_admin() { "$BIN/psql" -X -q -v ON_ERROR_STOP=1 -h 127.0.0.1 -p "$PORT" -U postgres -d postgres "$@"; }
if [ "$(psql_admin -tAc "select 1 from pg_database where datname = '$DB'")" != 1 ]; then
	log "creating database $DB"
	psql_admin -c "create database $DB" >&2
fi

echo "postgres://postgres@127.0.0.1:$PORT/$DB"
