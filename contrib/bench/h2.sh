#!/usr/bin/env bash
# HTTP/2 benchmarks, in one run on this machine:
#   1. TLS 1.3 + HTTP/2: POST of a 2 KiB JSON body to /echo with h2load,
#      16 connections × 8 streams, kcp-ingress's webhook stack against nginx
#      (http2, same certificate and TLS policy); server on core 0, h2load on 1.
#   2. Unary gRPC calls of grpc.health.v1.Health/Check over h2c against
#      kcp-ingress's --envoyxds listener.
#
#   contrib/bench/h2.sh            (or: make bench)
# REQUESTS (default 200000) sets the h2load run; p50/p99 come from
# h2load's per-request log.
set -euo pipefail
cd "$(dirname "$0")/../.."

requests=${REQUESTS:-200000}
source contrib/bench/lib.sh

swift build -c release --product kcp-ingress-echo --product kcp-ingress >&2
prepare_inputs

# measure NAME PID URL EXTRA_H2LOAD_ARGS... → one table row
measure() {
    local name=$1 pid=$2 url=$3
    shift 3
    taskset -c 1 h2load -n 20000 -c 16 -m 8 "$@" "$url" >/dev/null
    local before after
    before=$(cpu_seconds "$pid")
    taskset -c 1 h2load -n "$requests" -c 16 -m 8 --log-file="$work/h2load.log" "$@" "$url" >"$work/h2load.out"
    after=$(cpu_seconds "$pid")
    read -r done seconds p50 p99 errors < <(python3 - "$work/h2load.out" "$work/h2load.log" <<'PY'
import re, sys
text = open(sys.argv[1]).read()
done = int(re.search(r"requests: \d+ total, \d+ started, (\d+) done", text).group(1))
value, unit = re.search(r"finished in ([\d.]+)(\w+)", text).groups()
seconds = float(value) * {"s": 1, "ms": 0.001}[unit]
codes = re.search(r"status codes: (\d+) 2xx", text)
durations = sorted(int(line.split()[2]) for line in open(sys.argv[2]) if line.strip())
def pct(p): return durations[min(len(durations) - 1, int(len(durations) * p / 100))] / 1000
print(done, seconds, pct(50), pct(99), done - int(codes.group(1)))
PY
    )
    row "$name" "$done" "$seconds" "$p50" "$p99" "$(python3 -c "print($after - $before)")" "$errors"
}

start_echo 18444
start_nginx 18445 "ssl http2"
wait_for_port 18444
wait_for_port 18445
post=(-d "$work/body.json" -H "content-type: application/json")
rows=()
rows+=("$(measure "HTTP/2 kcp-ingress" "$echo_pid" https://127.0.0.1:18444/echo "${post[@]}")")
rows+=("$(measure "HTTP/2 nginx" "$nginx_pid" https://127.0.0.1:18445/echo "${post[@]}")")
print_table "TLS 1.3, HTTP/2, POST 2 KiB JSON, h2load -n $requests -c 16 -m 8, server on core 0, h2load on core 1" "${rows[@]}"

# gRPC: the real binary's h2c listener, one event loop per core it may use.
taskset -c 0 .build/release/kcp-ingress --tls-cert-file "$work/certs/tls.crt" --tls-private-key-file "$work/certs/tls.key" \
    --webhook-bind-address 127.0.0.1 --webhook-port 18446 --health-probe-bind-address 0 --metrics-bind-address 0 \
    -envoyxds -envoyxds-port 18447 --envoyxds-bind-address 127.0.0.1 --log-level warning &
pids+=($!)
grpc_pid=$!
wait_for_port 18446
printf '\0\0\0\0\0' >"$work/check.bin"  # one empty HealthCheckRequest, framed
sleep 0.5
grpc_row=$(measure "gRPC Check, h2c" "$grpc_pid" http://127.0.0.1:18447/grpc.health.v1.Health/Check \
    -d "$work/check.bin" -H "content-type: application/grpc" -H "te: trailers")
echo
echo "| unary gRPC over h2c | calls/s | p50 ms | p99 ms | server CPU s | calls per CPU-second | non-2xx |"
echo "|---|---|---|---|---|---|---|"
echo "| ${grpc_row//|/ | } |"
