#!/usr/bin/env bash
# A TURN server (Debian's coturn) for development and for trying relay-only calls:
# installs the coturn package if missing, writes a configuration (the same one the
# tests use, server/src/turn/coturn.ts) under /tmp, starts turnserver as a daemon
# on this machine's first external IPv4 address, and prints the server settings
# that use it on stdout:
#
#   eval "$(scripts/coturn.sh)" && npm start     # the server now hands out TURN credentials
#
# Plain TURN on UDP and TCP, plus TURN over TLS with the development certificate.
# It relays only to this machine's address (where mediasoup announces itself).
# Safe to run again: a running coturn is reused. Logs go to stderr.
#
#   LEGEVAKT_COTURN_PORT      UDP/TCP port (default 34780; not 3478, which a system coturn may hold)
#   LEGEVAKT_COTURN_TLS_PORT  TLS port (default 34781)
#   LEGEVAKT_COTURN_IP        listen and relay address (default: the first of `hostname -I`)
#   stop                      as the first argument: stop it instead
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
PORT=${LEGEVAKT_COTURN_PORT:-34780}
TLS_PORT=${LEGEVAKT_COTURN_TLS_PORT:-34781}
IP=${LEGEVAKT_COTURN_IP:-$(hostname -I 2>/dev/null | awk '{print $1}')}
DIR=/tmp/legevakt-coturn-$PORT
log() { echo "[coturn] $*" >&2; }

if [ -z "$IP" ]; then
	log "no external IPv4 address found; set LEGEVAKT_COTURN_IP"
	exit 1
fi
if ! command -v turnserver >/dev/null 2>&1; then
	if [ "$(id -u)" != 0 ]; then
		log "coturn is not installed: as root, run apt-get install coturn (or run this script as root)"
		exit 1
	fi
	log "installing Debian's coturn package"
	export DEBIAN_FRONTEND=noninteractive
	apt-get update -qq
	apt-get install -y -qq --no-install-recommends coturn >/dev/null
fi

mkdir -p "$DIR"
chmod 700 "$DIR"
exec 9>"$DIR.lock"
flock 9

running() { [ -f "$DIR/turnserver.pid" ] && kill -0 "$(cat "$DIR/turnserver.pid")" 2>/dev/null; }

if [ "${1:-}" = stop ]; then
	if running; then
		kill "$(cat "$DIR/turnserver.pid")"
		log "stopped"
	fi
	exit 0
fi

# The shared secret of coturn and our server (TURN REST scheme), kept for reruns.
if [ ! -s "$DIR/secret" ]; then
	(umask 077 && openssl rand -base64 32 | tr -d '\n=' >"$DIR/secret")
fi
SECRET=$(cat "$DIR/secret")

if ! running; then
	COTURN_LISTEN_IP=$IP COTURN_PORT=$PORT COTURN_TLS_PORT=$TLS_PORT COTURN_SECRET=$SECRET \
		COTURN_ALLOWED_PEER_IPS=$IP COTURN_DIR=$DIR COTURN_RELAY_MIN_PORT=35000 \
		COTURN_CERT=$ROOT/certs/dev-cert.pem COTURN_KEY=$ROOT/certs/dev-key.pem \
		"$ROOT/node_modules/.bin/node" "$ROOT/server/src/turn/printCoturnConfig.ts" >"$DIR/turnserver.conf"
	chmod 600 "$DIR/turnserver.conf"
	log "starting coturn on $IP:$PORT (UDP, TCP) and $IP:$TLS_PORT (TLS); log in $DIR/turnserver.log"
	# -o: daemon. 9>&-: the daemon must not inherit the lock.
	turnserver -c "$DIR/turnserver.conf" -o 9>&- >/dev/null 2>&1
	for _ in $(seq 1 50); do
		running && (exec 3<>"/dev/tcp/$IP/$PORT") 2>/dev/null && break
		sleep 0.1
	done
	running || {
		log "coturn did not start; the end of $DIR/turnserver.log:"
		tail -n 20 "$DIR/turnserver.log" >&2 || true
		exit 1
	}
fi

echo "export LEGEVAKT_TURN_URLS='turn:$IP:$PORT?transport=udp,turn:$IP:$PORT?transport=tcp,turns:$IP:$TLS_PORT?transport=tcp'"
echo "export LEGEVAKT_TURN_SECRET='$SECRET'"
