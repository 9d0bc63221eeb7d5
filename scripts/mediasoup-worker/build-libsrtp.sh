#!/usr/bin/env bash
# Builds a static, position-independent libsrtp 2.x whose crypto is OpenSSL's, from
# Debian bookworm's own libsrtp2 source package (upstream tarball + Debian's patches),
# and installs it with a pkg-config file into PREFIX. build.sh links it into
# mediasoup-worker instead of the system libsrtp2.
#
# Why: Debian's libsrtp2.so is built with --enable-nss, and NSS roughly doubles what
# SRTP costs the worker per forwarded packet compared with OpenSSL, whose AES-GCM and
# AES-CTR/HMAC-SHA1 use AES-NI and keep their contexts (bench/results/capacity.md).
#
# Usage: build-libsrtp.sh PREFIX      (logs to stderr, prints nothing on stdout)
# Called by build.sh, which hashes this script into the worker's cache key: changing
# anything here (including the pinned version) gives a new worker binary.
set -euo pipefail

PREFIX=${1:?usage: build-libsrtp.sh PREFIX}
# Pinned so the cache key names exactly what is built; bookworm's mirror here is a
# dated snapshot, so this version stays fetchable. Bump it (and get a new key) on purpose.
LIBSRTP_DEB_VERSION=2.5.0-3

log() { echo "[libsrtp] $*" >&2; }

# apt-get source needs deb-src entries. Add them for the same Debian mirror and suites as
# the configured binary sources, never for third-party repositories.
has_deb_src() {
	grep -rqsE '^[[:space:]]*(deb-src[[:space:]]|Types:.*deb-src)' /etc/apt/sources.list /etc/apt/sources.list.d/
}
if ! has_deb_src; then
	[ "$(id -u)" = 0 ] || { log "no deb-src entries in apt sources; add them as root (or run this as root)"; exit 1; }
	if [ -f /etc/apt/sources.list.d/debian.sources ]; then
		# deb822 (bookworm's default): same stanzas, Types: deb -> deb-src.
		sed -E 's/^Types:[[:space:]]*deb[[:space:]]*$/Types: deb-src/' /etc/apt/sources.list.d/debian.sources \
			>/etc/apt/sources.list.d/legevakt-deb-src.sources
		log "added /etc/apt/sources.list.d/legevakt-deb-src.sources (deb-src for the Debian mirror)"
	elif grep -qsE '^deb[[:space:]].*debian' /etc/apt/sources.list; then
		grep -E '^deb[[:space:]].*debian' /etc/apt/sources.list | sed -E 's/^deb[[:space:]]/deb-src /' \
			>/etc/apt/sources.list.d/legevakt-deb-src.list
		log "added /etc/apt/sources.list.d/legevakt-deb-src.list (deb-src for the Debian mirror)"
	else
		log "cannot find the Debian apt sources to derive deb-src entries from"; exit 1
	fi
	apt-get update -qq >&2
fi

SRC=$(mktemp -d "${TMPDIR:-/tmp}/libsrtp-build.XXXXXX")
trap 'rm -rf "$SRC"' EXIT
cd "$SRC"
log "fetching Debian source libsrtp2=$LIBSRTP_DEB_VERSION"
# apt verifies the files against the signed Sources index; dpkg-source applies Debian's patches.
apt-get source -qq "libsrtp2=$LIBSRTP_DEB_VERSION" >&2 2>/dev/null || apt-get source "libsrtp2=$LIBSRTP_DEB_VERSION" >&2
cd "libsrtp2-${LIBSRTP_DEB_VERSION%-*}"

# Static + PIC (it ends up in a PIE executable); OpenSSL for ciphers and HMAC. The
# "OpenSSL KDF" option needs kdf_srtp(), which only some OpenSSL forks have; libsrtp's own
# KDF (on OpenSSL's AES-CTR) runs once per key, so it costs nothing per packet.
# No tests/docs: they would need libpcap/doxygen and are not what we ship.
meson setup "$SRC/build" \
	--prefix="$PREFIX" --libdir=lib \
	--buildtype=release -Db_ndebug=true \
	--default-library=static -Db_staticpic=true \
	-Dcrypto-library=openssl -Dcrypto-library-kdf=disabled \
	-Dtests=disabled -Ddoc=disabled -Dpcap-tests=disabled -Dfuzzer=disabled \
	--wrap-mode=nofallback >&2
ninja -C "$SRC/build" -j"$(nproc)" >&2
meson install -C "$SRC/build" --quiet >&2

[ -f "$PREFIX/lib/libsrtp2.a" ] || { log "no $PREFIX/lib/libsrtp2.a after install"; exit 1; }
[ -f "$PREFIX/lib/pkgconfig/libsrtp2.pc" ] || { log "no libsrtp2.pc after install"; exit 1; }
# Fail loudly rather than silently ship a library without the OpenSSL backend.
grep -q 'GCM using openssl' "$PREFIX/lib/libsrtp2.a" || { log "libsrtp2.a lacks the OpenSSL GCM cipher"; exit 1; }
log "installed static OpenSSL-backed libsrtp2 $LIBSRTP_DEB_VERSION into $PREFIX"
