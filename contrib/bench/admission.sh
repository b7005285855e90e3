#!/usr/bin/env bash
# The webhook's own benchmark: requests/s, p50/p99 and server CPU per review
# of /validate, of /mutate with dryRun (no writes) and of /mutate writing two
# leaves to the development API server, for an Ingress review of ~1.6 KB over
# TLS: HTTP/1.1 keep-alive (wrk, as kube-apiserver calls webhooks) and HTTP/2
# (h2load). Beside it, nginx answering a static AdmissionReview with the same
# certificate: the limit of the transport.
#
#   contrib/bench/admission.sh          (or: make bench-admission)
#
# kcp-ingress on core 0; wrk/h2load and the development API server on core 1.
# DURATION (default 10s), CONNECTIONS (default 16), H2_REQUESTS (default 100000).
set -euo pipefail
cd "$(dirname "$0")/../.."

duration=${DURATION:-10s}
connections=${CONNECTIONS:-16}
h2_requests=${H2_REQUESTS:-100000}
source contrib/bench/lib.sh

swift build -c release --product kcp-ingress >&2
binary=.build/release/kcp-ingress
certs/gen-dev-certs.sh "$work/certs" >/dev/null
size=$(python3 contrib/bench/admission.py "$work")
echo "review: $size bytes" >&2

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

post_script() {  # FILE → a wrk script posting that file
    printf 'wrk.method = "POST"\nwrk.headers["Content-Type"] = "application/json"\nwrk.body = io.open("%s"):read("*a")\n' "$1" \
        >"$1.lua"
    echo "$1.lua"
}

# wrk_row NAME PID URL SCRIPT → one table row
wrk_row() {
    local name=$1 pid=$2 url=$3 script=$4 before after
    taskset -c 1 wrk -t1 -c"$connections" -d2s -s "$script" "$url" >/dev/null
    before=$(cpu_seconds "$pid")
    taskset -c 1 wrk -t1 -c"$connections" -d"$duration" --latency -s "$script" "$url" >"$work/wrk.out"
    after=$(cpu_seconds "$pid")
    read -r requests seconds p50 p99 errors < <(wrk_summary "$work/wrk.out")
    row "$name" "$requests" "$seconds" "$p50" "$p99" "$(python3 -c "print($after - $before)")" "$errors"
}

# h2_row NAME PID URL BODY → one table row (h2load: 16 connections, 8 streams each)
h2_row() {
    local name=$1 pid=$2 url=$3 file=$4 before after
    taskset -c 1 h2load -n 5000 -c "$connections" -m 8 -d "$file" -H 'content-type: application/json' "$url" >/dev/null
    before=$(cpu_seconds "$pid")
    taskset -c 1 h2load -n "$h2_requests" -c "$connections" -m 8 -d "$file" -H 'content-type: application/json' \
        "$url" >"$work/h2.out"
    after=$(cpu_seconds "$pid")
    read -r requests seconds p50 p99 errors < <(python3 - "$work/h2.out" <<'PY'
import re, sys
text = open(sys.argv[1]).read()
done = int(re.search(r"requests: \d+ total, \d+ started, (\d+) done", text).group(1))
seconds = float(re.search(r"finished in ([\d.]+)s", text).group(1))
# h2load gives min/max/mean/sd of request time; mean stands in for p50, max bounds p99.
m = re.search(r"time for request:\s+([\d.]+)(\w+)\s+([\d.]+)(\w+)\s+([\d.]+)(\w+)", text)
scale = {"us": 0.001, "ms": 1, "s": 1000}
mean = float(m.group(5)) * scale[m.group(6)]
top = float(m.group(3)) * scale[m.group(4)]
codes = re.search(r"status codes: (\d+) 2xx", text)
print(done, seconds, mean, top, done - int(codes.group(1)))
PY
    )
    row "$name" "$requests" "$seconds" "$p50" "$p99" "$(python3 -c "print($after - $before)")" "$errors"
}

base=https://127.0.0.1:18445
rows=()
rows+=("$(wrk_row "HTTP/1.1 /validate" "$serve_pid" "$base/validate" "$(post_script "$work/validate.json")")")
rows+=("$(wrk_row "HTTP/1.1 nginx static review" "$nginx_pid" https://127.0.0.1:18443/echo "$work/validate.json.lua")")
rows+=("$(wrk_row "HTTP/1.1 /mutate dryRun" "$serve_pid" "$base/mutate" "$(post_script "$work/dryrun.json")")")
rows+=("$(wrk_row "HTTP/1.1 nginx static review" "$nginx_pid" https://127.0.0.1:18443/echo "$work/validate.json.lua")")
rows+=("$(h2_row "HTTP/2 /validate" "$serve_pid" "$base/validate" "$work/validate.json")")
rows+=("$(h2_row "HTTP/2 nginx static review" "$nginx_pid" https://127.0.0.1:18443/echo "$work/validate.json")")
rows+=("$(h2_row "HTTP/2 /mutate dryRun" "$serve_pid" "$base/mutate" "$work/dryrun.json")")
rows+=("$(h2_row "HTTP/2 nginx static review" "$nginx_pid" https://127.0.0.1:18443/echo "$work/validate.json")")
print_table "Admission, TLS, ${size}-byte Ingress review, $connections connections (h2: 8 streams each), kcp-ingress on core 0" \
    "${rows[@]}"
echo
echo "µs of server CPU per review: 1e6 / (requests per CPU-second) in the table."
echo
writes=$(wrk_row "HTTP/1.1 /mutate writing 2 leaves" "$serve_pid" "$base/mutate" "$work/writes.lua")
echo "| ${writes//|/ | } |   (the development API server shares core 1 with wrk)"
leaves=$(kubectl --kubeconfig "$work/api/admin.kubeconfig" get ingress -A -l kcp.dev/cluster -o name | wc -l)
echo "leaves written: $leaves"
