# Shared by the benchmark scripts: a work directory removed at exit,
# certificates, the 2 KiB body, nginx's configuration, CPU accounting, heap
# allocation counts and the result rows. Sourced, not run.

ciphers="ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-GCM-SHA256:ECDHE-ECDSA-AES256-GCM-SHA384:ECDHE-RSA-AES256-GCM-SHA384:ECDHE-ECDSA-CHACHA20-POLY1305:ECDHE-RSA-CHACHA20-POLY1305"
work=$(mktemp -d)
pids=()
cleanup() {
    for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
    rm -rf "$work"
}
trap cleanup EXIT

# The development certificate and a 2 KiB AdmissionReview-like JSON body.
prepare_inputs() {
    certs/gen-dev-certs.sh "$work/certs" >/dev/null
    body=$(python3 -c 'import json; print(json.dumps({"apiVersion": "admission.k8s.io/v1", "kind": "AdmissionReview", "padding": "x" * 1974}, separators=(",", ":")))')
    [[ ${#body} -eq 2048 ]] || { echo "body is ${#body} bytes, expected 2048" >&2; exit 1; }
    printf '%s' "$body" >"$work/body.json"
}

# nginx on core 0 with one worker, the same certificate and TLS policy,
# answering POST /echo with the same 2 KiB: start_nginx PORT LISTEN_FLAGS
start_nginx() {
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
        listen 127.0.0.1:$1 $2;
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
    taskset -c 0 nginx -c "$work/nginx.conf" -p "$work/nginx" &
    pids+=($!)
    nginx_pid=$!
}

# kcp-ingress's stack on core 0 with one event loop, as nginx runs one worker.
start_echo() {
    taskset -c 0 .build/release/kcp-ingress-echo "$1" "$work/certs/tls.crt" "$work/certs/tls.key" 1 >/dev/null &
    pids+=($!)
    echo_pid=$!
}

# heap_allocations COMMAND... → the heap allocations valgrind counts over that
# run (the command's own output is dropped). Callers take two runs of N and
# N+100 rounds and divide the difference, so start-up does not count.
heap_allocations() {
    valgrind --tool=memcheck "$@" 2>&1 >/dev/null | sed -n 's/.*total heap usage: \([0-9,]*\) allocs.*/\1/p' | tr -d ,
}

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

# wrk --latency output FILE → "requests seconds p50_ms p99_ms non_2xx"
wrk_summary() {
    python3 - "$1" <<'PY'
import re, sys
text = open(sys.argv[1]).read()
total = re.search(r"(\d+) requests in ([\d.]+)(\w+)", text)
seconds = float(total.group(2)) * {"s": 1, "ms": 0.001, "m": 60}[total.group(3)]
def latency(p):
    value, unit = re.search(r"\s%s%%\s+([\d.]+)(\w+)" % p, text).groups()
    return float(value) * {"us": 0.001, "ms": 1, "s": 1000}[unit]
errors = re.search(r"Non-2xx or 3xx responses: (\d+)", text)
print(total.group(1), seconds, latency(50), latency(99), errors.group(1) if errors else 0)
PY
}

# row NAME REQUESTS SECONDS P50_MS P99_MS CPU_SECONDS ERRORS
row() {
    python3 -c 'import sys; n, r, s, p50, p99, cpu, e = sys.argv[1:]; cpu = max(float(cpu), 0.01)
print("%s|%.0f|%.2f|%.2f|%.2f|%.0f|%s" % (n, int(r) / float(s), float(p50), float(p99), cpu, int(r) / cpu, e))' "$@"
}

print_table() {  # TITLE ROWS... (rows alternate ours, theirs)
    echo
    echo "$1"
    echo
    echo "| server | requests/s | p50 ms | p99 ms | server CPU s | requests per CPU-second | non-2xx |"
    echo "|---|---|---|---|---|---|---|"
    shift
    for line in "$@"; do echo "| ${line//|/ | } |"; done
    python3 - "$@" <<'PY'
import sys
rows = [r.split("|") for r in sys.argv[1:]]
for i in range(0, len(rows) - 1, 2):
    ours, theirs = rows[i], rows[i + 1]
    print("\n%s: %.2f× nginx in requests/s, %.2f× in requests per CPU-second" % (
        ours[0], float(ours[1]) / float(theirs[1]), float(ours[5]) / float(theirs[5])), end="")
print()
PY
}
