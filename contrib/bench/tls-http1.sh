#!/usr/bin/env bash
# TLS 1.3 + HTTP/1.1 benchmark: kcp-ingress's webhook stack against nginx, in
# one run on this machine, with the same certificate and TLS settings.
#
#   contrib/bench/tls-http1.sh            (or: make bench)
#
# Server pinned to core 0, wrk to core 1. Two scenarios, each after a warm-up:
#   keep-alive:  POST of a 2 KiB JSON body to /echo, 16 connections
#   handshakes:  the same with "Connection: close": one new TLS connection each
# kcp-ingress echoes the body back (kcp-ingress-echo serves the webhook
# listener's exact stack with a /echo route); nginx answers a static body of
# the same size. Reported: requests/s, p50/p99 latency, server CPU seconds,
# requests per server CPU-second, and kcp-ingress / nginx.
# DURATION (default 15s) and CONNECTIONS (default 16) can be set.
set -euo pipefail
cd "$(dirname "$0")/../.."

duration=${DURATION:-15s}
connections=${CONNECTIONS:-16}
work=$(mktemp -d)
pids=()
cleanup() {
    for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
    rm -rf "$work"
}
trap cleanup EXIT

swift build -c release --product kcp-ingress-echo >&2
certs/gen-dev-certs.sh "$work/certs" >/dev/null

body=$(python3 -c 'import json; print(json.dumps({"apiVersion": "admission.k8s.io/v1", "kind": "AdmissionReview", "padding": "x" * 1974}, separators=(",", ":")))')
[[ ${#body} -eq 2048 ]] || { echo "body is ${#body} bytes, expected 2048" >&2; exit 1; }
printf '%s' "$body" >"$work/body.json"
cat >"$work/post.lua" <<LUA
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.body = io.open("$work/body.json"):read("*a")
LUA

ciphers="ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-GCM-SHA256:ECDHE-ECDSA-AES256-GCM-SHA384:ECDHE-RSA-AES256-GCM-SHA384:ECDHE-ECDSA-CHACHA20-POLY1305:ECDHE-RSA-CHACHA20-POLY1305"
mkdir -p "$work/nginx"
cat >"$work/nginx.conf" <<NGINX
daemon off;
master_process off;
worker_processes 1;
error_log $work/nginx/error.log warn;
pid $work/nginx/nginx.pid;
events { worker_connections 4096; }
http {
    access_log off;
    client_body_temp_path $work/nginx;
    keepalive_requests 10000000;
    keepalive_timeout 120s;
    client_max_body_size 7m;
    server {
        listen 127.0.0.1:18443 ssl;
        ssl_certificate $work/certs/tls.crt;
        ssl_certificate_key $work/certs/tls.key;
        ssl_protocols TLSv1.2 TLSv1.3;
        ssl_ciphers $ciphers;
        ssl_ecdh_curve X25519:prime256v1:secp384r1;
        location = /echo {
            default_type application/json;
            return 200 '$body';
        }
    }
}
NGINX

cpu_seconds() {  # utime + stime of a process, all threads, in seconds
    awk -v hz="$(getconf CLK_TCK)" '{ printf "%.2f", ($14 + $15) / hz }' "/proc/$1/stat"
}

wait_for_port() {
    for _ in $(seq 100); do
        curl -sk -o /dev/null "https://127.0.0.1:$1/" && return 0
        sleep 0.1
    done
    echo "nothing listens on $1" >&2
    return 1
}

# measure NAME PID PORT EXTRA_WRK_ARGS... → one table row
measure() {
    local name=$1 pid=$2 port=$3
    shift 3
    taskset -c 1 wrk -t1 -c"$connections" -d3s -s "$work/post.lua" "$@" "https://127.0.0.1:$port/echo" >/dev/null
    local before after
    before=$(cpu_seconds "$pid")
    taskset -c 1 wrk -t1 -c"$connections" -d"$duration" --latency -s "$work/post.lua" "$@" \
        "https://127.0.0.1:$port/echo" >"$work/wrk.out"
    after=$(cpu_seconds "$pid")
    python3 - "$name" "$before" "$after" "$work/wrk.out" <<'PY'
import re, sys
name, before, after, path = sys.argv[1], float(sys.argv[2]), float(sys.argv[3]), sys.argv[4]
text = open(path).read()
total = int(re.search(r"(\d+) requests in", text).group(1))
rps = float(re.search(r"Requests/sec:\s+([\d.]+)", text).group(1))
def latency(p):
    value, unit = re.search(r"\s%s%%\s+([\d.]+)(\w+)" % p, text).groups()
    return float(value) * {"us": 0.001, "ms": 1, "s": 1000}[unit]
errors = re.search(r"Non-2xx or 3xx responses: (\d+)", text)
cpu = max(after - before, 0.01)
print("%s|%.0f|%.2f|%.2f|%.2f|%.0f|%s" % (name, rps, latency(50), latency(99), cpu, total / cpu, errors.group(1) if errors else "0"))
PY
}

# One event loop on the one core, as nginx runs one worker there.
taskset -c 0 .build/release/kcp-ingress-echo 18444 "$work/certs/tls.crt" "$work/certs/tls.key" 1 >/dev/null &
pids+=($!)
ours=$!
taskset -c 0 nginx -c "$work/nginx.conf" -p "$work/nginx" &
pids+=($!)
theirs=$!
wait_for_port 18444
wait_for_port 18443

rows=()
rows+=("$(measure "kcp-ingress keep-alive" "$ours" 18444)")
rows+=("$(measure "nginx keep-alive" "$theirs" 18443)")
rows+=("$(measure "kcp-ingress new TLS connections" "$ours" 18444 -H "Connection: close")")
rows+=("$(measure "nginx new TLS connections" "$theirs" 18443 -H "Connection: close")")

echo
echo "TLS 1.3, HTTP/1.1, POST 2 KiB JSON, wrk -t1 -c$connections -d$duration, server on core 0, wrk on core 1"
echo
echo "| server | requests/s | p50 ms | p99 ms | server CPU s | requests per CPU-second | non-2xx |"
echo "|---|---|---|---|---|---|---|"
for row in "${rows[@]}"; do echo "| ${row//|/ | } |"; done
python3 - "${rows[@]}" <<'PY'
import sys
rows = [r.split("|") for r in sys.argv[1:]]
for i in (0, 2):
    ours, theirs = rows[i], rows[i + 1]
    print("\n%s: %.2f× nginx in requests/s, %.2f× in requests per CPU-second" % (
        ours[0].replace("kcp-ingress ", ""), float(ours[1]) / float(theirs[1]), float(ours[5]) / float(theirs[5])), end="")
print()
PY
