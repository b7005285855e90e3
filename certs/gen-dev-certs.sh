#!/usr/bin/env bash
# Makes a development CA and certificates signed by it, with the openssl
# command line. Keys stay on this machine: they are git-ignored.
#
#   certs/gen-dev-certs.sh [DIR] [server|client]
#
# DIR defaults to certs/dev. The CA (ca.crt, ca.key) is made once and reused;
# each run makes a new leaf with a new serial: server → tls.crt/tls.key with
# SANs for localhost, 127.0.0.1, ::1 and the in-cluster service names;
# client → client.crt/client.key for mutual TLS. KEY_TYPE=rsa gives RSA 2048
# keys instead of ECDSA P-256; DAYS sets the leaf lifetime (default 365).
set -euo pipefail

dir=${1:-"$(dirname "$0")/dev"}
kind=${2:-server}
key_type=${KEY_TYPE:-ec}
days=${DAYS:-365}
mkdir -p "$dir"
cd "$dir"
umask 077

new_key() {
    case "$key_type" in
        ec) openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$1" 2>/dev/null ;;
        rsa) openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out "$1" 2>/dev/null ;;
        *) echo "KEY_TYPE must be ec or rsa, not $key_type" >&2; exit 2 ;;
    esac
}

if [[ ! -f ca.crt || ! -f ca.key ]]; then
    new_key ca.key
    openssl req -x509 -new -key ca.key -sha256 -days 3650 -subj "/CN=kcp-ingress development CA" \
        -addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign,cRLSign" \
        -out ca.crt 2>/dev/null
fi

case "$kind" in
    server)
        name=tls
        subject="/CN=kcp-ingress"
        ext="subjectAltName=DNS:localhost,IP:127.0.0.1,IP:::1,DNS:kcp-ingress.kcp-ingress.svc,DNS:kcp-ingress.kcp-ingress.svc.cluster.local
extendedKeyUsage=serverAuth
keyUsage=critical,digitalSignature,keyEncipherment"
        ;;
    client)
        name=client
        subject="/CN=${CLIENT_CN:-kcp-ingress-client}"
        ext="extendedKeyUsage=clientAuth
keyUsage=critical,digitalSignature,keyEncipherment"
        ;;
    *) echo "usage: $0 [DIR] [server|client]" >&2; exit 2 ;;
esac

new_key "$name.key.new"
openssl req -new -key "$name.key.new" -subj "$subject" -out "$name.csr" 2>/dev/null
openssl x509 -req -in "$name.csr" -CA ca.crt -CAkey ca.key -set_serial "0x$(openssl rand -hex 16)" \
    -sha256 -days "$days" -extfile <(printf '%s\n' "$ext") -out "$name.crt.new" 2>/dev/null
rm -f "$name.csr"
mv "$name.key.new" "$name.key"
mv "$name.crt.new" "$name.crt"
chmod 644 ca.crt "$name.crt"
echo "$dir/$name.crt"
