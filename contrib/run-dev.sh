#!/usr/bin/env bash
# The whole system on 127.0.0.1: the development API server (objects under
# .kcp-ingress), kcp-ingress serving the webhook (registered, so roots get
# their leaves), the status loop and the xDS server, a real Envoy fed by it,
# two stand-in cluster gateways (east and west), and a stand-in syncer that
# reports each leaf's gateway back. Ctrl-C stops every process it started.
#
#   contrib/run-dev.sh [extra serve flags]        (or: make run)
#
# Environment: ENVOY_LISTENER_PORT (8000), ENVOY_DELTA=1 for delta ADS,
# EAST_PORT (9001) and WEST_PORT (9002) for the stand-in gateways.
set -euo pipefail
cd "$(dirname "$0")/.."
data=.kcp-ingress
binary=.build/debug/kcp-ingress
listener_port=${ENVOY_LISTENER_PORT:-8000}
east_port=${EAST_PORT:-9001}
west_port=${WEST_PORT:-9002}
bootstrap=contrib/envoy/bootstrap.yaml
[ "${ENVOY_DELTA:-}" = 1 ] && bootstrap=contrib/envoy/bootstrap-delta.yaml
mkdir -p "$data"
rm -f "$data/controller.kubeconfig"

pids=()
stop_all() {
    trap - EXIT INT TERM
    [ ${#pids[@]} -gt 0 ] || return 0
    kill "${pids[@]}" 2>/dev/null || true
    # Each gets 10 s to drain, then is killed.
    for _ in $(seq 100); do
        alive=0
        for pid in "${pids[@]}"; do kill -0 "$pid" 2>/dev/null && alive=1; done
        [ $alive = 0 ] && return 0
        sleep 0.1
    done
    kill -9 "${pids[@]}" 2>/dev/null || true
}
trap stop_all EXIT
trap 'exit 130' INT TERM
wait_for() { # description, command...: up to 30 s
    local what=$1
    shift
    for _ in $(seq 300); do "$@" >/dev/null 2>&1 && return 0; sleep 0.1; done
    echo "gave up waiting for $what" >&2
    return 1
}

# The demo syncer's identity: a user in group kcp-syncers, which serve lets
# write leaves' status (--syncer-groups) and nothing else of theirs.
tokens=$data/syncer-tokens.csv
if [ ! -s "$tokens" ]; then
    (umask 077 && echo "$(head -c 24 /dev/urandom | base64 | tr -d '/+='),demo-syncer,demo-syncer,\"kcp-syncers\"" >"$tokens")
fi
syncer_token=$(cut -d, -f1 "$tokens")

"$binary" dev-apiserver --data-dir "$data" --secure-port 6443 --token-auth-file "$tokens" \
    >"$data/dev-apiserver.log" 2>&1 &
pids+=($!)
wait_for "the development API server" test -s "$data/controller.kubeconfig" || { cat "$data/dev-apiserver.log" >&2; exit 1; }
echo "development API server: kubectl --kubeconfig $data/admin.kubeconfig (log: $data/dev-apiserver.log)" >&2

for gateway in east=$east_port west=$west_port; do
    python3 contrib/dev/stand-in-gateway.py "${gateway%%=*}" "${gateway#*=}" &
    pids+=($!)
done

"$binary" -kubeconfig "$data/controller.kubeconfig" --leader-elect --leader-election-namespace kube-system \
    --webhook-bind-address 127.0.0.1 --tls-cert-file certs/dev/tls.crt --tls-private-key-file certs/dev/tls.key \
    --health-probe-bind-address 127.0.0.1:8081 --metrics-bind-address 127.0.0.1:8080 --syncer-groups kcp-syncers \
    -envoyxds --envoyxds-bind-address 127.0.0.1 \
    --envoy-listener-address 127.0.0.1 -envoy-listener-port "$listener_port" "$@" &
serve=$!
pids+=($serve)
wait_for "kcp-ingress to be ready" curl -fs http://127.0.0.1:8081/readyz
contrib/dev/register-webhooks.sh "$data/admin.kubeconfig" certs/dev/ca.crt >&2

envoy -c "$bootstrap" --disable-hot-restart --log-level warn >"$data/envoy.log" 2>&1 &
pids+=($!)
wait_for "Envoy to take its configuration" curl -fs http://127.0.0.1:9901/ready
contrib/dev/demo-syncer.sh "$data/admin.kubeconfig" "$syncer_token" east="$east_port" west="$west_port" &
pids+=($!)

cat >&2 <<EOF

Everything runs: Envoy on 127.0.0.1:$listener_port ($(basename "$bootstrap"), log: $data/envoy.log, admin http://127.0.0.1:9901),
stand-in gateways east on :$east_port and west on :$west_port, a stand-in syncer writing leaves' status.
Try it:
  kubectl --kubeconfig $data/admin.kubeconfig create -f contrib/samples/
  curl -H 'Host: shop.kcp-apps.127.0.0.1.nip.io' http://127.0.0.1:$listener_port/       # east
  curl -H 'Host: shop.kcp-apps.127.0.0.1.nip.io' http://127.0.0.1:$listener_port/api    # west
Ctrl-C stops everything.
EOF
wait $serve
