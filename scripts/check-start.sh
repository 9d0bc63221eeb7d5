#!/usr/bin/env bash
# Runs the README's start command (npm start) on spare ports and checks that it
# serves the app and reports healthy media workers, then stops it.
set -euo pipefail
cd "$(dirname "$0")/.."

port=${CHECK_PORT:-18443}
log=$(mktemp)
export LEGEVAKT_PORT=$port LEGEVAKT_RTC_PORT=0 LEGEVAKT_DATA_DIR=$(mktemp -d)
setsid npm start >"$log" 2>&1 &
pid=$!
cleanup() { kill -TERM -- "-$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; rm -f "$log"; }
trap cleanup EXIT

for _ in $(seq 1 120); do
	if curl -fsk "https://localhost:$port/api/health" -o /dev/null 2>/dev/null; then break; fi
	if ! kill -0 "$pid" 2>/dev/null; then
		echo "npm start exited early:" >&2
		cat "$log" >&2
		exit 1
	fi
	sleep 1
done
health=$(curl -fsk "https://localhost:$port/api/health")
page=$(curl -fsk "https://localhost:$port/nurse")
if [[ "$health" != *'"status":"ok"'* ]] || [[ "$page" != *'<div id="root">'* ]]; then
	echo "npm start does not serve the app: health=$health" >&2
	cat "$log" >&2
	exit 1
fi
grep -q 'Legevakt Video is running' "$log" || { echo "npm start printed no address" >&2; exit 1; }
echo "start check: npm start serves https://localhost:$port (health ok)"
