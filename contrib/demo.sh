#!/usr/bin/env bash
# The story of kcp-ingress, told and checked (what `make demo` runs): the
# whole system of contrib/run-dev.sh starts from nothing beside any `make run`
# (its own ports and directory, objects in memory only), and each step below
# prints its commands and their output, then checks what they show. The first
# step whose check fails ends the demo with a line saying what was expected;
# the exit status is 0 only if every step passed. Every wait is bounded, and
# everything started is stopped on the way out, Ctrl-C included.
#
#   contrib/demo.sh
#
# Environment: DEMO_PORT_BASE (21000): the system listens on the nine ports
# after it (API server, webhook, xDS, probes, metrics, Envoy's listener and
# admin, gateways east and west); DEMO_DATA_DIR (.kcp-ingress/demo) for its
# kubeconfigs, certificates and logs; BINARY and ENVOY_DELTA=1 as for
# run-dev.sh; READY_TIMEOUT (120) and DEMO_TIMEOUT (240) in seconds;
# DEMO_OUTPUT ($DEMO_DATA_DIR) for the operator's page as chromium showed it
# (debug-page.png and its DOM), and REQUIRE_BROWSER=1 to fail, rather than
# skip that check, where chromium is missing (make test sets both).
set -uo pipefail
cd "$(dirname "$0")/.." || exit 1
started=$SECONDS

base=${DEMO_PORT_BASE:-21000}
export DATA_DIR=${DEMO_DATA_DIR:-.kcp-ingress/demo} EPHEMERAL=1
export APISERVER_PORT=$((base + 1)) WEBHOOK_PORT=$((base + 2)) XDS_PORT=$((base + 3)) \
    PROBE_PORT=$((base + 4)) METRICS_PORT=$((base + 5)) ENVOY_LISTENER_PORT=$((base + 6)) \
    ENVOY_ADMIN_PORT=$((base + 7)) EAST_PORT=$((base + 8)) WEST_PORT=$((base + 9))
binary=${BINARY:-.build/debug/kcp-ingress}
envoy=http://127.0.0.1:$ENVOY_LISTENER_PORT
shop="shop.kcp-apps.127.0.0.1.nip.io"
shop_gw="shop-gw.kcp-apps.127.0.0.1.nip.io"
shop_route="shop-route.kcp-apps.127.0.0.1.nip.io"

if [ -t 1 ]; then bold=$'\e[1m' green=$'\e[32m' red=$'\e[31m' dim=$'\e[2m' plain=$'\e[0m'; else bold='' green='' red='' dim='' plain=''; fi
step_number=0
step() { step_number=$((step_number + 1)); printf '\n%s%d. %s%s\n' "$bold" "$step_number" "$*" "$plain"; }
ok() { printf '   %s✓ %s%s\n' "$green" "$*" "$plain"; }
note() { printf '   %s%s%s\n' "$dim" "$*" "$plain"; }
fail() {
    printf '   %s✗ FAILED: %s%s\n' "$red" "$*" "$plain"
    # A part of the system that ended makes run-dev.sh stop the rest, so
    # later checks fail for that reason: its own word on why, else (it
    # stopped without one) the end of its log.
    if [ -n "${system:-}" ]; then
        why=$(grep -E '^(gave up waiting for|.* ended; stopping the rest$)' "$DATA_DIR/run-dev.log")
        [ -n "$why" ] || kill -0 "$system" 2>/dev/null || why=$(tail -n 20 "$DATA_DIR/run-dev.log")
        [ -z "$why" ] || printf '   the system stopped (%s):\n%s\n' "$DATA_DIR/run-dev.log" "$(sed 's/^/   | /' <<<"$why")"
    fi
    local where="at step $step_number"
    [ "$step_number" -gt 0 ] || where="before the first step"
    printf '\n%sdemo FAILED %s after %d s%s; logs in %s\n' "$red" "$where" $((SECONDS - started)) "$plain" "$DATA_DIR"
    exit 1
}
# A command as a person would type it: words with spaces or quotes are quoted.
show() {
    local word line='$' special='[][[:space:]"'\''!*?{}()$|<>;&\\]'
    for word in "$@"; do
        if [[ $word =~ $special ]]; then word="'${word//\'/\'\\\'\'}'"; fi
        line+=" $word"
    done
    printf '   %s\n' "$line"
}
# Runs a command shown as typed, its output (standard error too: kubectl's
# warnings) indented under it; its status is the command's.
run() {
    show "$@"
    output=$("$@" 2>&1)
    local status=$?
    [ -z "$output" ] || printf '%s\n' "$output" | sed 's/^/     /'
    return $status
}
# until SECONDS DESCRIPTION COMMAND...: the command until it succeeds. A
# command may say what it saw instead in $seen, for the failure's message.
until_ok() {
    local seconds=$1 what=$2
    shift 2
    local deadline=$((SECONDS + seconds))
    seen=
    while ! "$@" >/dev/null 2>&1; do
        [ $SECONDS -lt $deadline ] || fail "$what: not so within $seconds s${seen:+; last seen: $seen}"
        sleep 0.5
    done
}
# The dev API server's kubeconfig for every kubectl of the story: the
# commands print as they would be typed against a cluster.
kubectl() { command kubectl --kubeconfig "$DATA_DIR/admin.kubeconfig" --request-timeout 10s "$@"; }
label() { kubectl get "$1" "$2" -o "jsonpath={.metadata.labels.kcp\.dev/$3}" 2>/dev/null; }
# The cluster that answered a request through Envoy, from the stand-in gateway's body.
cluster_of() { sed -n 's/.*"cluster": "\([^"]*\)".*/\1/p'; }
answered_by() { # HOST PATH CLUSTER
    seen=$(curl -sS --max-time 5 -H "Host: $1" "$envoy$2" -w ' (HTTP %{http_code})' 2>&1 | tr '\n' ' ')
    [ "$(cluster_of <<<"$seen")" = "$3" ]
}
# COUNT requests to HOST over one connection: how many each cluster answered.
spread() {
    local urls=() i
    for ((i = 0; i < $2; i++)); do urls+=("$envoy/"); done
    curl -s --max-time 20 -H "Host: $1" "${urls[@]}" | cluster_of | sort | uniq -c | awk '{print $2 "=" $1}' | paste -sd ' ' -
}

for tool in kubectl envoy curl python3 setsid; do
    command -v "$tool" >/dev/null || { echo "demo: $tool is missing (make deps installs it)" >&2; exit 1; }
done
[ -x "$binary" ] || { echo "demo: $binary is missing: build it first (make build)" >&2; exit 1; }
for port in $(seq $((base + 1)) $((base + 9))); do
    if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
        echo "demo: port $port is in use; choose nine free ports after another DEMO_PORT_BASE" >&2
        exit 1
    fi
done

system=
watchdog=
stop() {
    trap - EXIT INT TERM
    # The watchdog's sleep too, not left to run out on its own.
    [ -z "$watchdog" ] || kill $(pgrep -P "$watchdog") "$watchdog" 2>/dev/null
    [ -n "$system" ] && kill -0 "$system" 2>/dev/null || return 0
    kill -TERM "$system" 2>/dev/null
    # run-dev.sh gives its processes 10 s to drain; past that, its whole
    # session goes.
    for _ in $(seq 150); do kill -0 "$system" 2>/dev/null || return 0; sleep 0.1; done
    kill -KILL -- "-$system" 2>/dev/null
}
trap stop EXIT
trap 'echo; fail "interrupted"' INT
trap 'fail "stopped: the demo took longer than ${DEMO_TIMEOUT:-240} s"' TERM

mkdir -p "$DATA_DIR"
rm -f "$DATA_DIR/ready"
printf '%skcp-ingress demo%s: the system of contrib/run-dev.sh on ports %d-%d, objects in memory, log in %s\n' \
    "$bold" "$plain" $((base + 1)) $((base + 9)) "$DATA_DIR/run-dev.log"
# Its own session, so that Ctrl-C reaches only this script, which stops the
# system in order.
setsid contrib/run-dev.sh >"$DATA_DIR/run-dev.log" 2>&1 </dev/null &
system=$!
(sleep "${DEMO_TIMEOUT:-240}" && kill -TERM $$) 2>/dev/null &
watchdog=$!
deadline=$((SECONDS + ${READY_TIMEOUT:-120}))
until [ -e "$DATA_DIR/ready" ]; do
    kill -0 "$system" 2>/dev/null || fail "the system did not start"
    [ $SECONDS -lt $deadline ] || fail "the system was not ready within ${READY_TIMEOUT:-120} s (see $DATA_DIR/run-dev.log)"
    sleep 0.2
done
note "ready after $((SECONDS - started)) s: the API server, kcp-ingress (webhook, status loop, xDS), Envoy,"
note "stand-in gateways east :$EAST_PORT and west :$WEST_PORT, their syncer; contrib/samples/ created."
note "kubectl below means kubectl --kubeconfig $DATA_DIR/admin.kubeconfig"

step "Two Services, each labelled with the physical cluster that runs it"
run kubectl get services -L kcp.dev/cluster || fail "kubectl get services"
[ "$(label service shop cluster)" = east ] || fail "service shop should be labelled kcp.dev/cluster=east"
[ "$(label service shop-api cluster)" = west ] || fail "service shop-api should be labelled kcp.dev/cluster=west"
ok "shop runs on east, shop-api on west"

step "A root of each kind routes to both (contrib/samples/): one Ingress, one HTTPRoute, one Route"
run kubectl get ingress,httproute,route -l '!kcp.dev/cluster' \
    -o 'custom-columns=KIND:.kind,NAME:.metadata.name,CLUSTERS:.metadata.annotations.kcp\.dev/clusters' ||
    fail "kubectl get of the roots"
for kind in ingress httproute route; do
    clusters=$(kubectl get "$kind" shop -o 'jsonpath={.metadata.annotations.kcp\.dev/clusters}' 2>/dev/null)
    [ "$clusters" = east,west ] || fail "$kind shop should be annotated kcp.dev/clusters=east,west, not '$clusters'"
done
ok "each root is placed on east and west (annotation kcp.dev/clusters, written by the webhook)"

step "Their leaves: one copy per cluster, written by the webhook before the API server answered"
run kubectl get ingress,httproute,route -L kcp.dev/cluster,kcp.dev/owned-by || fail "kubectl get of the leaves"
for kind in ingress httproute route; do
    for cluster in east west; do
        leaf=shop--$cluster
        [ "$(label "$kind" "$leaf" cluster)" = "$cluster" ] ||
            fail "$kind $leaf should exist, labelled kcp.dev/cluster=$cluster"
        [ "$(label "$kind" "$leaf" owned-by)" = shop ] || fail "$kind $leaf should be labelled kcp.dev/owned-by=shop"
    done
done
ok "shop--east and shop--west of each kind, labelled with their cluster and owned by shop"

step "The roots' status: the leaves' statuses (written by the stand-in syncer) merged"
ingress_address() { kubectl get ingress shop -o 'jsonpath={.status.loadBalancer.ingress[0].hostname}{.status.loadBalancer.ingress[0].ip}'; }
accepted() { kubectl get httproute shop -o 'jsonpath={.status.parents[*].conditions[?(@.type=="Accepted")].status}'; }
admitted_routers() { kubectl get route shop -o 'jsonpath={range .status.ingress[*]}{.routerName}={.conditions[?(@.type=="Admitted")].status} {end}'; }
has_address() { seen="status $(kubectl get ingress shop -o 'jsonpath={.status}')" && [ -n "$(ingress_address)" ]; }
is_accepted() { seen="Accepted '$(accepted)'" && [ "$(accepted)" = True ]; }
both_admit() { seen="'$(admitted_routers)'" && [ "$seen" = "'stand-in-east=True stand-in-west=True '" ]; }
until_ok 30 "ingress shop should have an address in status.loadBalancer" has_address
until_ok 30 "httproute shop should be Accepted" is_accepted
until_ok 30 "route shop should be admitted by both clusters' routers" both_admit
run kubectl get ingress shop -o 'jsonpath={.status.loadBalancer}{"\n"}'
ok "ingress shop: $(ingress_address) (Envoy's host for it: the first host, inside -domain)"
run kubectl get httproute shop -o 'jsonpath={range .status.parents[*].conditions[*]}{.type}={.status} ({.reason}: {.message}){"\n"}{end}'
ok "httproute shop: Accepted=True, which it is only once every cluster accepts it and Envoy routes it"
run kubectl get route shop -o 'jsonpath={range .status.ingress[*]}{.routerName}: {.host} {.conditions[0].type}={.conditions[0].status}{"\n"}{end}'
ok "route shop: admitted by the routers of east and west, one entry each"

step "Requests through Envoy (127.0.0.1:$ENVOY_LISTENER_PORT), answered by the cluster that runs each path's Service"
until_ok 15 "/ of $shop should be answered by east" answered_by "$shop" / east
run curl -s -H "Host: $shop" "$envoy/"
[ "$(cluster_of <<<"$output")" = east ] || fail "/ of $shop should be answered by east"
ok "/ went to east (service shop)"
until_ok 15 "/api of $shop should be answered by west" answered_by "$shop" /api west
run curl -s -H "Host: $shop" "$envoy/api"
[ "$(cluster_of <<<"$output")" = west ] || fail "/api of $shop should be answered by west"
ok "/api went to west (service shop-api)"
gw=$(spread "$shop_gw" 20)
show curl -s -H "Host: $shop_gw" "$envoy/"
printf '     20 requests, answered by: %s\n' "$gw"
[[ $gw == *east=* && $gw == *west=* ]] || fail "the HTTPRoute's 20 requests should reach both east and west, not: $gw"
ok "the HTTPRoute spreads its traffic over both clusters (equal backend weights)"
rt=$(spread "$shop_route" 100)
show curl -s -H "Host: $shop_route" "$envoy/"
printf '     100 requests, answered by: %s\n' "$rt"
[[ $rt == *east=* && $rt == *west=* ]] || fail "the Route's 100 requests should reach both east and west, not: $rt"
ok "the Route weighs them 100:20, east to west"

step "A leaf belongs to kcp-ingress: anyone else's change is refused"
if run kubectl label ingress shop--west x=y; then fail "labelling leaf shop--west should have been refused"; fi
[[ $output == *"managed by kcp-ingress"* ]] || fail "the refusal should say the leaf is managed by kcp-ingress"
[ -z "$(kubectl get ingress shop--west -o 'jsonpath={.metadata.labels.x}')" ] ||
    fail "leaf shop--west got the label all the same"
ok "refused by the validating webhook, and the leaf is unchanged"

step "A dry run previews the leaves a new Ingress would get, and writes none"
if ! run kubectl create ingress preview --dry-run=server \
    --rule="preview.kcp-apps.127.0.0.1.nip.io/*=shop:8080" --rule="preview.kcp-apps.127.0.0.1.nip.io/api*=shop-api:8080"; then
    fail "the dry run of ingress preview"
fi
for cluster in east west; do
    [[ $output == *"would create ingress preview--$cluster for cluster $cluster"* ]] ||
        fail "the dry run should warn: would create ingress preview--$cluster for cluster $cluster"
done
run kubectl get ingress preview preview--east preview--west --ignore-not-found || fail "kubectl get of ingress preview"
[ -z "$output" ] || fail "the dry run wrote objects: $output"
ok "the warnings name both leaves; neither they nor the root exist"

step "The operator's page, http://127.0.0.1:$PROBE_PORT/debug: roots, leaves, clusters and Envoys on one screen"
note "an HTTPRoute whose regular expression Envoy cannot compile, markup included: Envoy refuses it"
refused=$DATA_DIR/refused-httproute.yaml
cat >"$refused" <<'YAML'
apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: {name: refused, namespace: default}
spec:
  hostnames: [refused.kcp-apps.127.0.0.1.nip.io]
  rules:
  - matches: [{path: {type: RegularExpression, value: "/<script>alert(1)</script>("}}]
    backendRefs: [{name: shop, port: 8080}]
YAML
run kubectl create -f "$refused" || fail "creating httproute refused"
page=http://127.0.0.1:$PROBE_PORT/debug
# The page's model, as scripts read it: what is not ready, and why.
not_ready() {
    python3 - "$page/state.json?notReady=1" <<'PY'
import json, sys, urllib.request
state = json.load(urllib.request.urlopen(sys.argv[1], timeout=5))
for root in state["roots"]:
    detail = root.get("routingDetail") or ""
    print("%s %s/%s: %s: %s" % (root["kind"], root["namespace"], root["name"], root["routing"], detail))
for envoy in state["envoys"]:
    for kind, error in sorted(envoy["rejected"].items()):
        print("Envoy %s rejects %s: %s" % (envoy["node"], kind, error))
PY
}
refused_shown() { seen=$(not_ready | paste -sd ' ' -) && [[ $seen == *"HTTPRoute default/refused: rejected"* ]]; }
until_ok 30 "the page should show httproute refused rejected by Envoy" refused_shown
show curl -s "$page/state.json?notReady=1"
not_ready | sed 's/^/     /'
ok "the page names the refused root and Envoy's own error; the other roots stay programmed"
if command -v chromium >/dev/null || [ -n "${REQUIRE_BROWSER:-}" ]; then
    shots=${DEMO_OUTPUT:-$DATA_DIR}
    run python3 contrib/check-debug-page.py "$page" "$shots" ingress/default/shop "alert(1)</script>(" ||
        fail "the page in chromium"
    ok "chromium shows shop's two leaves and programmed, Envoy's error as text; screenshot $shots/debug-page.png"
else
    note "chromium is not installed: the check in a browser is left out (make test installs it)"
fi
run kubectl delete -f "$refused" || fail "deleting httproute refused"

# Last, as it leaves no Service on east: the dry run's split needs one there.
step "A Service moves to the other cluster, and its traffic and leaves follow"
run kubectl label service shop kcp.dev/cluster=west --overwrite || fail "relabelling service shop"
until_ok 30 "/ of $shop should be answered by west after the move" answered_by "$shop" / west
run curl -s -H "Host: $shop" "$envoy/"
ok "/ now goes to west"
note "(make before break: east's leaves stay only until west's route, and west's already did)"
none_on_east() {
    seen=$(kubectl get ingress,httproute,route -l kcp.dev/cluster=east -o name | paste -sd ' ' -)
    [ -z "$seen" ]
}
until_ok 30 "the leaves on east should be deleted once west routes every backend" none_on_east
run kubectl get ingress,httproute,route -L kcp.dev/cluster,kcp.dev/owned-by || fail "kubectl get of the leaves"
for kind in ingress httproute route; do
    clusters=$(kubectl get "$kind" shop -o 'jsonpath={.metadata.annotations.kcp\.dev/clusters}' 2>/dev/null)
    [ "$clusters" = west ] || fail "$kind shop should now be annotated kcp.dev/clusters=west, not '$clusters'"
    [ "$(label "$kind" shop--west cluster)" = west ] || fail "$kind shop--west should still be there"
done
ok "shop--east of each kind is gone; every root is on west alone"
all_west() { seen=$(spread "$shop_gw" 10) && [ "$seen" = west=10 ]; }
until_ok 15 "the HTTPRoute should send everything to west" all_west
show curl -s -H "Host: $shop_gw" "$envoy/"
printf '     10 requests, answered by: %s\n' "$(spread "$shop_gw" 10)"
ok "the HTTPRoute's traffic all goes to west"

printf '\n%sdemo passed: %d steps in %d s%s\n' "$green" "$step_number" $((SECONDS - started)) "$plain"
