#!/usr/bin/env bash
# The development API server under load: 10 watchers receive 10,000 Ingress
# creations, then one list returns all 10,000. Reports the times and the
# server's peak resident memory (VmHWM).
#
#   contrib/bench/dev-apiserver.sh        (or: make bench)
# COUNT (default 10000) and WATCHERS (default 10) can be set.
set -euo pipefail
cd "$(dirname "$0")/../.."
count=${COUNT:-10000}
watchers=${WATCHERS:-10}
work=$(mktemp -d)
trap 'kill $server 2>/dev/null || true; rm -rf "$work"' EXIT

swift build -c release --product kcp-ingress >&2
.build/release/kcp-ingress dev-apiserver --data-dir "$work" --secure-port 0 --ephemeral --log-level warning >"$work/out" &
server=$!
for _ in $(seq 100); do grep -q "serving on" "$work/out" 2>/dev/null && break; sleep 0.1; done
url=$(sed -n 's/^serving on \([^;]*\);.*/\1/p' "$work/out")
token=$(sed -n 's/^ *token: //p' "$work/admin.kubeconfig")
echo "| measure | result |"
echo "|---|---|"
python3 contrib/bench/dev_apiserver_load.py "$url" "$token" "$count" "$watchers" "$work/ca.crt" | sed 's/|/ | /; s/^/| /; s/$/ |/'
echo "| server peak memory | $(awk '/VmHWM/ { printf "%.0f MiB", $2 / 1024 }' /proc/$server/status) |"
