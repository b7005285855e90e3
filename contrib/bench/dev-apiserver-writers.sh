#!/usr/bin/env bash
# Concurrent creates with persistence on: WRITERS (default 16) clients
# create COUNT (default 2000) Ingresses against a server whose object log is
# fsync'd; prints creates per second.
#
#   contrib/bench/dev-apiserver-writers.sh
# BIN (default the release build) can name another kcp-ingress binary.
set -euo pipefail
cd "$(dirname "$0")/../.."
count=${COUNT:-2000}
writers=${WRITERS:-16}
bin=${BIN:-.build/release/kcp-ingress}
work=$(mktemp -d)
trap 'kill $server 2>/dev/null || true; rm -rf "$work"' EXIT

[ -n "${BIN:-}" ] || swift build -c release --product kcp-ingress >&2
"$bin" dev-apiserver --data-dir "$work" --secure-port 0 --log-level warning >"$work/out" &
server=$!
for _ in $(seq 200); do grep -q "serving on" "$work/out" 2>/dev/null && break; sleep 0.1; done
url=$(sed -n 's/^serving on \([^;]*\);.*/\1/p' "$work/out")
token=$(sed -n 's/^ *token: //p' "$work/admin.kubeconfig")
python3 contrib/bench/dev_apiserver_writers.py "$url" "$token" "$count" "$writers" "$work/ca.crt"
