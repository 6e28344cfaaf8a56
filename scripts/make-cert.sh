#!/usr/bin/env bash
# Makes a self-signed certificate for local HTTPS (the demo's second port, docs/tls.md): a 2048-bit RSA
# key and a certificate for CN=localhost with the subjectAltNames browsers require (DNS:localhost and
# IP:127.0.0.1), valid 365 days. For local use only: browsers will warn, since nobody vouches for it.
#   bash scripts/make-cert.sh [dir]      (default dir: certs/ at the repository's root; `pnpm cert` runs this)
set -euo pipefail
umask 077 # the private key is never readable by others, not even for a moment
dir="${1:-$(cd "$(dirname "$0")/.." && pwd)/certs}"
command -v openssl >/dev/null || { echo "make-cert: openssl is needed (apt-get install -y openssl)" >&2; exit 1; }
mkdir -p "$dir"
# Made in a temporary folder beside the final names, then each file renamed into place: an interrupted
# run leaves the previous pair whole or, between the two renames, a new key with the old certificate
# (the demo then refuses to start, saying the key does not match: run this again).
tmp="$(mktemp -d "$dir/.make-cert.XXXXXX")"
trap 'rm -rf "$tmp"' EXIT
# -addext needs OpenSSL 1.1.1 or later; its errors are shown as they are.
openssl req -x509 -newkey rsa:2048 -nodes -sha256 -days 365 -subj /CN=localhost \
  -addext subjectAltName=DNS:localhost,IP:127.0.0.1 \
  -keyout "$tmp/localhost-key.pem" -out "$tmp/localhost-cert.pem" 2>"$tmp/openssl.log" \
  || { cat "$tmp/openssl.log" >&2; echo "make-cert: openssl failed (OpenSSL 1.1.1 or later is needed for -addext)" >&2; exit 1; }
chmod 644 "$tmp/localhost-cert.pem" # the certificate is public
mv "$tmp/localhost-key.pem" "$dir/localhost-key.pem"
mv "$tmp/localhost-cert.pem" "$dir/localhost-cert.pem"
echo "wrote $dir/localhost-cert.pem and $dir/localhost-key.pem (self-signed, CN=localhost, 365 days)"
