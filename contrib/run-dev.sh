#!/usr/bin/env bash
# The most complete story there is today, on 127.0.0.1: the development API
# server (objects under .kcp-ingress), and kcp-ingress serving the webhook
# (registered with the API server, so roots get their leaves) and gRPC,
# with informers on that API server and leader election.
#
#   contrib/run-dev.sh [extra serve flags]        (or: make run)
set -euo pipefail
cd "$(dirname "$0")/.."
data=.kcp-ingress
binary=.build/debug/kcp-ingress
mkdir -p "$data"
rm -f "$data/controller.kubeconfig"
"$binary" dev-apiserver --data-dir "$data" --secure-port 6443 >"$data/dev-apiserver.log" 2>&1 &
api=$!
trap 'kill $api 2>/dev/null || true' EXIT
for _ in $(seq 100); do [ -s "$data/controller.kubeconfig" ] && break; sleep 0.1; done
[ -s "$data/controller.kubeconfig" ] || { cat "$data/dev-apiserver.log" >&2; exit 1; }
echo "development API server: kubectl --kubeconfig $data/admin.kubeconfig (log: $data/dev-apiserver.log)" >&2
"$binary" -kubeconfig "$data/controller.kubeconfig" --leader-elect --leader-election-namespace kube-system \
    --webhook-bind-address 127.0.0.1 --tls-cert-file certs/dev/tls.crt --tls-private-key-file certs/dev/tls.key \
    --health-probe-bind-address 127.0.0.1:8081 --metrics-bind-address 127.0.0.1:8080 \
    -envoyxds --envoyxds-bind-address 127.0.0.1 "$@" &
serve=$!
trap 'kill $serve $api 2>/dev/null || true' EXIT
for _ in $(seq 300); do curl -fs http://127.0.0.1:8081/readyz >/dev/null && break; sleep 0.1; done
contrib/dev/register-webhooks.sh "$data/admin.kubeconfig" certs/dev/ca.crt >&2
echo "webhooks registered: kubectl --kubeconfig $data/admin.kubeconfig create -f contrib/samples/" >&2
wait $serve
