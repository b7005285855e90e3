#!/usr/bin/env bash
# Informers against the development API server: initial sync of COUNT
# Ingresses (default 10000), the store's memory, and watch events into
# handlers (see Benchmarks/Informer). Release builds; the API server runs as
# its own process, so the memory figure is the client's alone.
#
#   contrib/bench/informer.sh        (or: make bench-informer)
set -euo pipefail
cd "$(dirname "$0")/../.."
count=${COUNT:-10000}
work=$(mktemp -d)
trap 'kill $server 2>/dev/null || true; rm -rf "$work"' EXIT

swift build -c release --product kcp-ingress >&2
swift build -c release --product kubeclient-informer-bench >&2
.build/release/kcp-ingress dev-apiserver --data-dir "$work" --secure-port 0 --ephemeral --log-level warning >"$work/out" &
server=$!
for _ in $(seq 100); do grep -q "serving on" "$work/out" 2>/dev/null && break; sleep 0.1; done
.build/release/kubeclient-informer-bench "$work/admin.kubeconfig" "$count"
echo "| API server peak memory | $(awk '/VmHWM/ { printf "%.0f MiB", $2 / 1024 }' /proc/$server/status) |"
