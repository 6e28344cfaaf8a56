#!/usr/bin/env bash
# Makes a self-signed certificate for local HTTPS (the demo's second port, docs/tls.md): a 2048-bit RSA
# key and a certificate for CN=localhost with the subjectAltNames browsers require (DNS:localhost and
# IP:127.0.0.1), valid 365 days. For local use only: browsers will warn, since nobody vouches for it.
#   bash scripts/make-cert.sh [dir]      (default dir: certs/ at the repository's root; `pnpm cert` runs this)
set -euo pipefail
dir="${1:-$(cd "$(dirname "$0")/.." && pwd)/certs}"
mkdir -p "$dir"
command -v openssl >/dev/null || { echo "make-cert: openssl is needed (apt-get install -y openssl)" >&2; exit 1; }
# Written beside the final names, then renamed: an interrupted run never leaves a key without its certificate.
openssl req -x509 -newkey rsa:2048 -nodes -sha256 -days 365 -subj /CN=localhost \
  -addext subjectAltName=DNS:localhost,IP:127.0.0.1 \
  -keyout "$dir/.localhost-key.pem.tmp" -out "$dir/.localhost-cert.pem.tmp" 2>/dev/null
chmod 600 "$dir/.localhost-key.pem.tmp"
mv "$dir/.localhost-key.pem.tmp" "$dir/localhost-key.pem"
mv "$dir/.localhost-cert.pem.tmp" "$dir/localhost-cert.pem"
echo "wrote $dir/localhost-cert.pem and $dir/localhost-key.pem (self-signed, CN=localhost, 365 days)"
