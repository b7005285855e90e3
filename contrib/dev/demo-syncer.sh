#!/usr/bin/env bash
# Plays the syncers of the demo's physical clusters: every second, each leaf
# whose cluster has a stand-in gateway gets the status a real syncer would
# copy back from that cluster, naming the stand-in's address. Writes go
# through the syncer's own token (group kcp-syncers), which kcp-ingress
# lets write leaves' status and nothing else.
#
#   contrib/dev/demo-syncer.sh KUBECONFIG TOKEN CLUSTER=PORT...
#
# Runs until killed, or until the process that started it is gone.
set -uo pipefail
kubeconfig=${1:?kubeconfig}
token=${2:?syncer token}
shift 2
declare -A ports
for pair in "$@"; do ports[${pair%%=*}]=${pair#*=}; done
parent=$PPID
k() { kubectl --kubeconfig "$kubeconfig" --token "$token" --request-timeout 5s "$@"; }

# What each kind's syncer reports. Ingress: the load balancer's IP and port.
# HTTPRoute and Route: accepted / admitted; their status has no field for
# an address with a port, so the syncer also writes the leaf annotation
# kcp.dev/gateway-addresses, which kcp-ingress lets syncers keep.
ingress_status() { echo "{\"status\":{\"loadBalancer\":{\"ingress\":[{\"ip\":\"127.0.0.1\",\"ports\":[{\"port\":$1,\"protocol\":\"TCP\"}]}]}}}"; }
httproute_status() {
    echo "{\"status\":{\"parents\":[{\"parentRef\":{\"name\":\"gateway\"},\"controllerName\":\"kcp.dev/syncer\",\"conditions\":[{\"type\":\"Accepted\",\"status\":\"True\",\"reason\":\"Accepted\",\"message\":\"stand-in gateway on $2\",\"lastTransitionTime\":\"$3\"}]}]}}"
}
route_status() {
    echo "{\"status\":{\"ingress\":[{\"host\":\"$4\",\"routerName\":\"stand-in-$2\",\"conditions\":[{\"type\":\"Admitted\",\"status\":\"True\"}]}]}}"
}
# The field that says a leaf's status is already written.
declare -A written=(
    [ingress]='{.status.loadBalancer.ingress[0].ports[0].port}'
    [httproute]='{.status.parents[0].controllerName}'
    [route]='{.status.ingress[0].routerName}'
)

while kill -0 "$parent" 2>/dev/null; do
    for kind in ingress httproute route; do
        k get "$kind" -A -l kcp.dev/cluster -o jsonpath="{range .items[*]}{.metadata.namespace} {.metadata.name} {.metadata.labels.kcp\.dev/cluster} {.spec.host}|${written[$kind]}{\"\n\"}{end}" 2>/dev/null |
            while IFS='|' read -r leaf reported; do
                read -r namespace name cluster host <<<"$leaf"
                port=${ports[$cluster]:-}
                [ -n "$port" ] || continue
                case $kind in
                ingress) [ "$reported" = "$port" ] && continue ;;
                *) [ -n "$reported" ] && continue ;;
                esac
                status=$("${kind}_status" "$port" "$cluster" "$(date -u +%Y-%m-%dT%H:%M:%SZ)" "$host")
                if [ "$kind" != ingress ]; then
                    k annotate "$kind" "$name" -n "$namespace" --overwrite \
                        "kcp.dev/gateway-addresses=127.0.0.1:$port" >/dev/null || continue
                fi
                k patch "$kind" "$name" -n "$namespace" --subresource=status --type=merge -p "$status" >/dev/null &&
                    echo "syncer: $kind $namespace/$name on $cluster reports 127.0.0.1:$port" >&2
            done
    done
    sleep 1
done
