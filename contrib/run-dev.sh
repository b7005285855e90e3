#!/usr/bin/env bash
# The whole system on 127.0.0.1: the development API server (objects under
# DATA_DIR), kcp-ingress serving the webhook (registered, so roots get their
# leaves), the status loop and the xDS server, a real Envoy fed by it, two
# stand-in cluster gateways (east and west), and a stand-in syncer that
# reports each leaf's gateway back. Once all of it is up, the samples of
# contrib/samples/ are created (those already there are left as they are),
# what to try is printed, and DATA_DIR/ready is written, for scripts that
# wait for the system (contrib/demo.sh). Ctrl-C or SIGTERM stops every
# process it started.
#
#   contrib/run-dev.sh [extra serve flags]        (or: make run)
#
# kcp-ingress runs as one process, `kcp-ingress dev`; its log is
# DATA_DIR/kcp-ingress.log.
#
# Environment, with the defaults of `make run` (every port is on 127.0.0.1,
# so that two systems can run side by side with their own ports and DATA_DIR):
#   APISERVER_PORT (6443)  WEBHOOK_PORT (8443)  XDS_PORT (18000)
#   PROBE_PORT (8081)      METRICS_PORT (8080)
#   ENVOY_LISTENER_PORT (8000)  ENVOY_ADMIN_PORT (9901)
#   EAST_PORT (9001)       WEST_PORT (9002)     the stand-in gateways
#   DATA_DIR (.kcp-ingress)  BINARY (.build/debug/kcp-ingress; make run builds and passes the release one)
#   ENVOY_DELTA=1   delta ADS instead of state of the world
#   EPHEMERAL=1     the API server keeps objects in memory: every run starts
#                   from nothing (--ephemeral)
set -euo pipefail
cd "$(dirname "$0")/.."
data=${DATA_DIR:-.kcp-ingress}
binary=${BINARY:-.build/debug/kcp-ingress}
apiserver_port=${APISERVER_PORT:-6443}
webhook_port=${WEBHOOK_PORT:-8443}
xds_port=${XDS_PORT:-18000}
probe_port=${PROBE_PORT:-8081}
metrics_port=${METRICS_PORT:-8080}
listener_port=${ENVOY_LISTENER_PORT:-8000}
admin_port=${ENVOY_ADMIN_PORT:-9901}
east_port=${EAST_PORT:-9001}
west_port=${WEST_PORT:-9002}
bootstrap=contrib/envoy/bootstrap.yaml
[ "${ENVOY_DELTA:-}" = 1 ] && bootstrap=contrib/envoy/bootstrap-delta.yaml
ephemeral=()
[ "${EPHEMERAL:-}" = 1 ] && ephemeral=(--ephemeral)
mkdir -p "$data"
# A signal that this run got that far: it may not be left from the last.
rm -f "$data/ready"

pids=()
declare -A names
started() { pids+=($!); names[$!]=$1; }
ended() { # the first process started here that is no longer running
    local pid
    for pid in "${pids[@]}"; do kill -0 "$pid" 2>/dev/null || { echo "${names[$pid]}"; return 0; }; done
    return 1
}
stop_all() {
    trap - EXIT INT TERM
    rm -f "$data/ready"
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
trap 'exit 130' INT
trap 'exit 143' TERM
wait_for() { # description, command...: up to 30 s, and not once a process started here has ended
    local what=$1 gone
    shift
    for _ in $(seq 300); do
        "$@" >/dev/null 2>&1 && return 0
        gone=$(ended) && { echo "gave up waiting for $what: $gone ended" >&2; return 1; }
        sleep 0.1
    done
    echo "gave up waiting for $what" >&2
    return 1
}
k() { kubectl --kubeconfig "$data/admin.kubeconfig" "$@"; }

# The demo syncer's identity: a user in group kcp-syncers, which serve lets
# write leaves' status (--syncer-groups) and nothing else of theirs.
tokens=$data/syncer-tokens.csv
if [ ! -s "$tokens" ]; then
    (umask 077 && echo "$(head -c 24 /dev/urandom | base64 | tr -d '/+='),demo-syncer,demo-syncer,\"kcp-syncers\"" >"$tokens")
fi
syncer_token=$(cut -d, -f1 "$tokens")

for gateway in east=$east_port west=$west_port; do
    python3 contrib/dev/stand-in-gateway.py "${gateway%%=*}" "${gateway#*=}" &
    started "the stand-in gateway ${gateway%%=*}"
    wait_for "the stand-in gateway ${gateway%%=*}" curl -fs "http://127.0.0.1:${gateway#*=}/"
done

# ---- kcp-ingress: one process, `kcp-ingress dev` --------------------------
# The development API server, and serve against it with its webhooks
# registered (the CA it made is their caBundle), the status loop and the
# xDS server. It prints its banner once ready.
"$binary" dev --data-dir "$data" --apiserver-port "$apiserver_port" --webhook-port "$webhook_port" \
    --envoyxds-port "$xds_port" --envoy-listener-port "$listener_port" \
    --health-probe-port "$probe_port" --metrics-port "$metrics_port" --token-auth-file "$tokens" \
    ${ephemeral[@]+"${ephemeral[@]}"} -- "$@" >"$data/kcp-ingress.log" 2>&1 &
started "kcp-ingress dev"
wait_for "kcp-ingress dev to be ready" grep -q "kcp-ingress dev is ready" "$data/kcp-ingress.log" ||
    { tail -20 "$data/kcp-ingress.log" >&2; exit 1; }
# ---- end of kcp-ingress ---------------------------------------------------
echo "kcp-ingress dev: kubectl --kubeconfig $data/admin.kubeconfig (log: $data/kcp-ingress.log)" >&2

# The committed bootstraps name the default xDS and admin ports; this run's
# copy names its own.
envoy_config=$data/envoy-$(basename "$bootstrap")
sed -e "s/port_value: 18000\$/port_value: $xds_port/" -e "s/port_value: 9901\$/port_value: $admin_port/" \
    "$bootstrap" >"$envoy_config"
envoy -c "$envoy_config" --disable-hot-restart --log-level warn >"$data/envoy.log" 2>&1 &
started "Envoy"
wait_for "Envoy to take its configuration" curl -fs "http://127.0.0.1:$admin_port/ready" || { cat "$data/envoy.log" >&2; exit 1; }
contrib/dev/demo-syncer.sh "$data/admin.kubeconfig" "$syncer_token" east="$east_port" west="$west_port" &
started "the stand-in syncer"

# The samples, once: objects persist in $data across runs, and one changed
# since (a Service moved to another cluster) is left as it is. Created rather
# than applied: a second client-side apply sends strategic merge directives
# the development API server refuses (see register-webhooks.sh), and it does
# not serve server-side apply.
k create -f contrib/samples/ 2>&1 | grep -v '(AlreadyExists)' >&2 || true
for sample in contrib/samples/*.yaml; do
    k get -f "$sample" >/dev/null || { echo "the samples of $sample are not there" >&2; exit 1; }
done

cat >&2 <<EOF

Everything runs: Envoy on 127.0.0.1:$listener_port ($(basename "$bootstrap"), log: $data/envoy.log, admin http://127.0.0.1:$admin_port),
stand-in gateways east on :$east_port and west on :$west_port, a stand-in syncer writing leaves' status,
kcp-ingress's webhook on :$webhook_port, xDS on :$xds_port, probes on :$probe_port, metrics on :$metrics_port,
and the samples of contrib/samples/. Try it:
  kubectl --kubeconfig $data/admin.kubeconfig get ingress,httproute,route -L kcp.dev/cluster,kcp.dev/owned-by
  curl -H 'Host: shop.kcp-apps.127.0.0.1.nip.io' http://127.0.0.1:$listener_port/        # east
  curl -H 'Host: shop.kcp-apps.127.0.0.1.nip.io' http://127.0.0.1:$listener_port/api     # west
  curl -H 'Host: shop-gw.kcp-apps.127.0.0.1.nip.io' http://127.0.0.1:$listener_port/     # the HTTPRoute: east or west
  kubectl --kubeconfig $data/admin.kubeconfig label service shop kcp.dev/cluster=west --overwrite   # and / follows
  open http://127.0.0.1:$probe_port/debug: roots, leaves, clusters and Envoys on one screen
Ctrl-C stops everything.
EOF
touch "$data/ready"
# Until one of them ends (or a signal): a system with a part missing is not
# left running as if it were whole. `wait -n` does not return for a process
# that ended before it was called, hence the look first.
set +e
ended >/dev/null || wait -n "${pids[@]}"
echo "$(ended) ended; stopping the rest" >&2
exit 1
