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
source contrib/bench/lib.sh

swift build -c release --product kcp-ingress-echo >&2
prepare_inputs
cat >"$work/post.lua" <<LUA
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.body = io.open("$work/body.json"):read("*a")
LUA

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
    read -r requests seconds p50 p99 errors < <(wrk_summary "$work/wrk.out")
    row "$name" "$requests" "$seconds" "$p50" "$p99" "$(python3 -c "print($after - $before)")" "$errors"
}

start_echo 18444
start_nginx 18443 ssl
wait_for_port 18444
wait_for_port 18443

rows=()
rows+=("$(measure "keep-alive kcp-ingress" "$echo_pid" 18444)")
rows+=("$(measure "keep-alive nginx" "$nginx_pid" 18443)")
rows+=("$(measure "new TLS connections kcp-ingress" "$echo_pid" 18444 -H "Connection: close")")
rows+=("$(measure "new TLS connections nginx" "$nginx_pid" 18443 -H "Connection: close")")
print_table "TLS 1.3, HTTP/1.1, POST 2 KiB JSON, wrk -t1 -c$connections -d$duration, server on core 0, wrk on core 1" "${rows[@]}"
