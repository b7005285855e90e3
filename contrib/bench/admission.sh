#!/usr/bin/env bash
# The webhook's own benchmark, against the transport's limit. For CREATE
# reviews of an Ingress, an HTTPRoute and a Route, each ~1.6 KB and ~10 KB
# (contrib/bench/admission.py): /validate and /mutate with dryRun over TLS,
# HTTP/1.1 keep-alive (wrk, as kube-apiserver calls webhooks) and HTTP/2
# (h2load, 8 streams per connection), at 16 and 64 connections; then /mutate
# writing two leaves to the development API server. Beside each, nginx
# answering the same-sized request with /validate's answer, statically, with
# the same certificate and TLS policy: the figure is the ratio to nginx in
# requests per server CPU-second. Rows: requests/s, p50/p99/p99.9, server CPU.
#
#   contrib/bench/admission.sh          (or: make bench-admission)
#
# kcp-ingress and nginx on core 0; wrk/h2load and the development API server
# on core 1. DURATION (default 5s) per wrk row, H2_REQUESTS (default 100000)
# per h2load row; KINDS, SIZES, CONNECTIONS and PROTOCOLS narrow the matrix
# (defaults "ingress httproute route", "small large", "16 64", "h1 h2"); BINARY
# runs another build of kcp-ingress (an older one, to compare).
set -euo pipefail
cd "$(dirname "$0")/../.."

duration=${DURATION:-5s}
h2_requests=${H2_REQUESTS:-100000}
kinds=${KINDS:-ingress httproute route}
sizes=${SIZES:-small large}
connection_counts=${CONNECTIONS:-16 64}
protocols=${PROTOCOLS:-h1 h2}
source contrib/bench/lib.sh

swift build -c release --product kcp-ingress >&2
binary=${BINARY:-.build/release/kcp-ingress}
certs/gen-dev-certs.sh "$work/certs" >/dev/null
review_sizes=$(python3 contrib/bench/admission.py "$work")
bytes() { python3 -c 'import json, sys; print(json.loads(sys.argv[1])[sys.argv[2]])' "$review_sizes" "$1"; }

taskset -c 1 "$binary" dev-apiserver --ephemeral --data-dir "$work/api" --secure-port 0 >"$work/api.log" 2>&1 &
pids+=($!)
for _ in $(seq 100); do [ -s "$work/api/controller.kubeconfig" ] && break; sleep 0.1; done
kubectl --kubeconfig "$work/api/admin.kubeconfig" apply -f - >/dev/null <<YAML
apiVersion: v1
kind: Service
metadata: {name: web, namespace: default, labels: {kcp.dev/cluster: east}}
spec: {ports: [{port: 80}]}
---
apiVersion: v1
kind: Service
metadata: {name: api, namespace: default, labels: {kcp.dev/cluster: west}}
spec: {ports: [{port: 80}]}
YAML

taskset -c 0 "$binary" -kubeconfig "$work/api/controller.kubeconfig" --webhook-port 18445 \
    --webhook-bind-address 127.0.0.1 --tls-cert-file "$work/certs/tls.crt" --tls-private-key-file "$work/certs/tls.key" \
    --health-probe-bind-address 127.0.0.1:18446 --metrics-bind-address 0 --log-level warning 2>"$work/serve.log" &
pids+=($!)
serve_pid=$!
for _ in $(seq 300); do curl -fs http://127.0.0.1:18446/readyz >/dev/null && break; sleep 0.1; done

# nginx answers with what /validate answers, byte for byte.
body=$(curl -s --cacert "$work/certs/ca.crt" -H 'content-type: application/json' \
    --data-binary @"$work/validate.json" https://localhost:18445/validate)
start_nginx 18443 "ssl http2"
wait_for_port 18443

post_script() {  # FILE → a wrk script posting that file, printing p99.9
    printf 'wrk.method = "POST"\nwrk.headers["Content-Type"] = "application/json"\nwrk.body = io.open("%s"):read("*a")\n' "$1" \
        >"$1.lua"
    cat >>"$1.lua" <<'LUA'
done = function(summary, latency, requests)
  io.write(string.format("p99.9 %d us\n", latency:percentile(99.9)))
end
LUA
    echo "$1.lua"
}

# wrk_row PID URL SCRIPT CONNECTIONS → "requests/s p50 p99 p99.9 cpu requests-per-cpu-second non-2xx"
wrk_row() {
    local pid=$1 url=$2 script=$3 connections=$4 before after
    taskset -c 1 wrk -t1 -c"$connections" -d2s -s "$script" "$url" >/dev/null
    before=$(cpu_seconds "$pid")
    taskset -c 1 wrk -t1 -c"$connections" -d"$duration" --latency -s "$script" "$url" >"$work/wrk.out"
    after=$(cpu_seconds "$pid")
    read -r requests seconds p50 p99 errors < <(wrk_summary "$work/wrk.out")
    p999=$(sed -n 's/^p99.9 \([0-9]*\) us$/\1/p' "$work/wrk.out")
    figures "$requests" "$seconds" "$p50" "$p99" "$(python3 -c "print($p999 / 1000)")" "$before" "$after" "$errors"
}

# h2_row PID URL BODY CONNECTIONS → as wrk_row; percentiles from h2load's per-request log
h2_row() {
    local pid=$1 url=$2 file=$3 connections=$4 before after
    taskset -c 1 h2load -n 5000 -c "$connections" -m 8 -d "$file" -H 'content-type: application/json' "$url" >/dev/null
    rm -f "$work/h2.log"
    before=$(cpu_seconds "$pid")
    taskset -c 1 h2load -n "$h2_requests" -c "$connections" -m 8 -d "$file" -H 'content-type: application/json' \
        --log-file "$work/h2.log" "$url" >"$work/h2.out"
    after=$(cpu_seconds "$pid")
    read -r requests seconds p50 p99 p999 errors < <(python3 - "$work/h2.out" "$work/h2.log" <<'PY'
import re, sys
text = open(sys.argv[1]).read()
done = int(re.search(r"requests: \d+ total, \d+ started, (\d+) done", text).group(1))
value, unit = re.search(r"finished in ([\d.]+)(ms|s)", text).groups()
seconds = float(value) * (0.001 if unit == "ms" else 1)
rows = [line.split("\t") for line in open(sys.argv[2]) if line.strip()]
times = sorted(int(row[2]) / 1000 for row in rows)
ok = sum(1 for row in rows if row[1].startswith("2"))
p = lambda q: times[min(len(times) - 1, int(q * len(times)))]
print(done, seconds, p(.5), p(.99), p(.999), done - ok)
PY
    )
    figures "$requests" "$seconds" "$p50" "$p99" "$p999" "$before" "$after" "$errors"
}

figures() {  # REQUESTS SECONDS P50 P99 P999 CPU_BEFORE CPU_AFTER ERRORS
    python3 -c 'import sys; r, s, p50, p99, p999, b, a, e = sys.argv[1:]; cpu = max(float(a) - float(b), 0.01)
print("%.0f %.2f %.2f %.2f %.2f %.0f %s" % (int(r) / float(s), float(p50), float(p99), float(p999), cpu, int(r) / cpu, e))' "$@"
}

measure() {  # PROTOCOL PID URL BODY CONNECTIONS
    if [ "$1" = h1 ]; then wrk_row "$2" "$3" "$(post_script "$4")" "$5"; else h2_row "$2" "$3" "$4" "$5"; fi
}

base=https://127.0.0.1:18445
echo
echo "Admission over TLS: kcp-ingress and nginx on core 0, load on core 1;" \
    "HTTP/1.1 with wrk -t1 -d$duration, HTTP/2 with h2load -m8 -n$h2_requests."
echo "× nginx: requests per server CPU-second, against nginx's static answer to a request of the same size, protocol and connections."
echo
echo "| protocol | connections | route | review | requests/s | p50 ms | p99 ms | p99.9 ms | server CPU s | requests per CPU-second | × nginx | non-2xx |"
echo "|---|---|---|---|---|---|---|---|---|---|---|---|"
for protocol in $protocols; do
    label=$([ "$protocol" = h1 ] && echo HTTP/1.1 || echo HTTP/2)
    for connections in $connection_counts; do
        for size in $sizes; do
            nginx_body="$work/ingress-$size-validate.json"
            read -r rps p50 p99 p999 cpu per_cpu errors < <(measure "$protocol" "$nginx_pid" https://127.0.0.1:18443/echo "$nginx_body" "$connections")
            nginx_per_cpu=$per_cpu
            echo "| $label | $connections | nginx static answer | $(bytes "ingress-$size") B | $rps | $p50 | $p99 | $p999 | $cpu | $per_cpu | 1 | $errors |"
            for kind in $kinds; do
                for route in validate dryrun; do
                    path=$([ "$route" = validate ] && echo /validate || echo /mutate)
                    name=$([ "$route" = validate ] && echo /validate || echo "/mutate dryRun")
                    read -r rps p50 p99 p999 cpu per_cpu errors < <(measure "$protocol" "$serve_pid" "$base$path" "$work/$kind-$size-$route.json" "$connections")
                    ratio=$(python3 -c "print('%.2f' % ($per_cpu / $nginx_per_cpu))")
                    echo "| $label | $connections | $name | $kind $(bytes "$kind-$size") B | $rps | $p50 | $p99 | $p999 | $cpu | $per_cpu | $ratio | $errors |"
                done
            done
        done
    done
done
echo
echo "/mutate writing two leaves per review to the development API server (which shares core 1 with wrk), HTTP/1.1, 16 connections:"
echo
echo "| review | requests/s | p50 ms | p99 ms | p99.9 ms | server CPU s | requests per CPU-second | non-2xx | leaves written |"
echo "|---|---|---|---|---|---|---|---|---|"
for kind in $kinds; do
    read -r rps p50 p99 p999 cpu per_cpu errors < <(wrk_row "$serve_pid" "$base/mutate" "$work/$kind-small-writes.lua" 16)
    case $kind in
        ingress) resource=ingresses.networking.k8s.io ;;
        httproute) resource=httproutes.gateway.networking.k8s.io ;;
        route) resource=routes.route.openshift.io ;;
    esac
    leaves=$(kubectl --kubeconfig "$work/api/admin.kubeconfig" get "$resource" -A -l kcp.dev/cluster -o name | wc -l)
    echo "| $kind $(bytes "$kind-small") B | $rps | $p50 | $p99 | $p999 | $cpu | $per_cpu | $errors | $leaves |"
done
