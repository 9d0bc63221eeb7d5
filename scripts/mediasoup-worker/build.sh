#!/usr/bin/env bash
# Builds mediasoup's C++ worker offline from the npm tarball's own sources with
# Debian bookworm's toolchain and libraries, and caches the binary outside the
# clone keyed by mediasoup version + the hash of everything that shapes the build
# (patches, this script and build-libsrtp.sh). Prints the cached binary's path on stdout.
#
# libsrtp is not Debian's shared libsrtp2 (NSS crypto) but a static, OpenSSL-backed
# build of Debian's own libsrtp2 source package (build-libsrtp.sh), linked into the
# worker: with NSS, SRTP cost about twice as much per packet (bench/results/capacity.md).
#
# Why: mediasoup's postinstall downloads a prebuilt worker from GitHub or builds
# with pip's meson and wrapdb subprojects; none of those hosts is reachable here.
#
# Usage: scripts/mediasoup-worker/build.sh [--print-path]
#   --print-path  only print where the binary is (or would be) cached; build nothing.
set -euo pipefail

HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
VERSION=$(node -e "process.stdout.write(require('$ROOT/server/package.json').dependencies.mediasoup)")
PATCH="$HERE/mediasoup-$VERSION-worker-debian-bookworm.patch"
[ -f "$PATCH" ] || { echo "no worker patch for mediasoup $VERSION at $PATCH" >&2; exit 1; }

KEY=$(cat "$PATCH" "$HERE/build.sh" "$HERE/build-libsrtp.sh" | sha256sum | cut -c1-16)
CACHE_ROOT=${LEGEVAKT_CACHE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/legevakt-video}
OUT="$CACHE_ROOT/mediasoup-worker/$VERSION-$KEY"
BIN="$OUT/mediasoup-worker"

if [ "${1:-}" = "--print-path" ]; then echo "$BIN"; exit 0; fi
if [ -x "$BIN" ]; then echo "$BIN"; exit 0; fi

log() { echo "[mediasoup-worker] $*" >&2; }
log "building mediasoup $VERSION worker from source (cache key $KEY); this takes ~7 min on 2 cores"

if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
	# dpkg-dev: apt-get source (libsrtp2's Debian source package, built by build-libsrtp.sh).
	PKGS=(g++ pkg-config meson ninja-build libssl-dev libuv1-dev libabsl-dev libflatbuffers-dev flatbuffers-compiler patch dpkg-dev)
	missing=()
	for p in "${PKGS[@]}"; do dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p"); done
	if [ ${#missing[@]} -gt 0 ]; then
		log "installing Debian packages: ${missing[*]}"
		export DEBIAN_FRONTEND=noninteractive
		apt-get update -qq >&2
		apt-get install -y -qq --no-install-recommends "${missing[@]}" >&2
	fi
fi

WORK=$(mktemp -d "${TMPDIR:-/tmp}/mediasoup-worker-build.XXXXXX")
trap 'rm -rf "$WORK"' EXIT
bash "$HERE/build-libsrtp.sh" "$WORK/libsrtp" # logs to stderr only
# Put the static libsrtp2.pc first, so the patch's dependency('libsrtp2') resolves to it
# (its -L dir holds only libsrtp2.a) rather than to a system libsrtp2-dev, if installed.
export PKG_CONFIG_PATH="$WORK/libsrtp/lib/pkgconfig${PKG_CONFIG_PATH:+:$PKG_CONFIG_PATH}"

cd "$WORK"
tarball=$(npm pack "mediasoup@$VERSION" --silent 2>/dev/null | tail -n1)
tar xzf "$tarball"
cd package/worker
patch -p1 --forward --quiet <"$PATCH" >&2
# No meson wrap may ever be used or downloaded.
rm -f subprojects/*.wrap
meson setup --buildtype=release -Db_ndebug=true --wrap-mode=nofallback "$WORK/build" >&2
# FlatBuffers headers are generated first, as upstream's tasks.py does.
meson compile -C "$WORK/build" flatbuffers-generator >&2
ninja -C "$WORK/build" -j"$(nproc)" mediasoup-worker >&2
strip "$WORK/build/mediasoup-worker"
# Never cache a worker that quietly linked the system (NSS) libsrtp2 after all.
if ldd "$WORK/build/mediasoup-worker" | grep -qE 'libsrtp|libnss3'; then
	log "the worker links a shared libsrtp2/NSS; expected the static OpenSSL build:"
	ldd "$WORK/build/mediasoup-worker" >&2
	exit 1
fi
grep -q 'GCM using openssl' "$WORK/build/mediasoup-worker" || { log "worker lacks libsrtp's OpenSSL ciphers"; exit 1; }

mkdir -p "$OUT"
# Install atomically so a concurrent or interrupted build never leaves half a binary.
cp "$WORK/build/mediasoup-worker" "$OUT/.mediasoup-worker.tmp"
mv "$OUT/.mediasoup-worker.tmp" "$BIN"
log "built $BIN"
echo "$BIN"
