"""The xDS server with a real Envoy: N Ingress roots with two leaves each.

Starts the development API server, serve with -envoyxds (release builds),
two stand-in gateways and two Envoys (state of the world and delta), all on
127.0.0.1, and measures:
  - the snapshot build time (serve's kcp_ingress_xds_snapshot_build_seconds)
    and serve's resident memory once everything is routed;
  - bytes of resources sent for the full push to each Envoy, and for a
    one-root change (serve's kcp_ingress_xds_response_bytes_total, by mode);
  - the time from a root change written to the API until Envoy applied it
    (its update_success counters) and until the first request routed by it,
    for each mode with its Envoy alone on the listener port, split into
    serve's share (snapshot build) and Envoy's (response sent → ACK);
  - responses sent for a burst of 1,000 root changes;
  - idle cost: serve's CPU per minute and memory with nothing changing
    (IDLE_SECONDS, default 60), watches and the delta stream open;
  - start-up: a new serve's process start to /readyz 200 against the API
    server holding every root and leaf.

    python3 contrib/bench/xds.py [ROOTS] [CHANGES]   (or: make bench-xds ROOTS=10000)
"""
import concurrent.futures
import http.server
import json
import os
import re
import socket
import ssl
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request

from procstat import cpu_seconds, memory_mib

roots = int(sys.argv[1]) if len(sys.argv) > 1 else 1000
changes = int(sys.argv[2]) if len(sys.argv) > 2 else 50
idle_seconds = int(os.environ.get("IDLE_SECONDS", "60"))
binary = ".build/release/kcp-ingress"
work = tempfile.mkdtemp(prefix="kcp-bench-xds-")
processes = []
envoys = {}


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start(args, log):
    process = subprocess.Popen(args, stdout=open(f"{work}/{log}", "w"), stderr=subprocess.STDOUT)
    processes.append(process)
    return process


def standin(cluster):
    class Handler(http.server.BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def do_GET(self):
            body = json.dumps({"cluster": cluster, "path": self.path}).encode()
            self.send_response(200)
            self.send_header("content-length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server.server_address[1]


def kubeconfig_user(path):
    text = open(path).read()
    return re.search(r"server: (\S+)", text).group(1), re.search(r"token: (\S+)", text).group(1)


def request(method, path, body=None, content_type="application/json"):
    data = None if body is None else json.dumps(body).encode()
    req = urllib.request.Request(server + path, data=data, method=method)
    req.add_header("Authorization", f"Bearer {admin_token}")
    if data is not None:
        req.add_header("Content-Type", content_type)
    with urllib.request.urlopen(req, context=tls) as response:
        return json.load(response)


def set_spec(index, spec):
    """Replaces root r<index>'s spec as kubectl edit would: read, change, write
    back, and on a conflict (the status loop wrote its status meanwhile) again."""
    path = f"/apis/networking.k8s.io/v1/namespaces/default/ingresses/r{index}"
    for _ in range(10):
        root = request("GET", path)
        root["spec"] = spec
        try:
            return request("PUT", path, root)
        except urllib.error.HTTPError as error:
            if error.code != 409:
                raise
    raise SystemExit(f"r{index}: conflicts on every attempt")


def metric_lines(port):
    return urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics").read().decode().splitlines()


def metric(port, series, **labels):
    total = 0.0
    for line in metric_lines(port):
        if not line.startswith(series + "{") and not line.startswith(series + " "):
            continue
        if all(f'{k}="{v}"' in line for k, v in labels.items()):
            total += float(line.rsplit(" ", 1)[1])
    return total


def envoy_stat(admin, pattern):
    text = urllib.request.urlopen(f"http://{admin}/stats?filter={pattern}").read().decode()
    return sum(int(line.rsplit(" ", 1)[1]) for line in text.splitlines() if line.rsplit(" ", 1)[1].isdigit())


def get(port, host, path):
    req = urllib.request.Request(f"http://127.0.0.1:{port}{path}", headers={"Host": host})
    try:
        with urllib.request.urlopen(req, timeout=2) as response:
            return response.status, response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, ""
    except Exception:
        return 0, ""


def start_envoy(name, delta, xds_port):
    bootstrap = open("contrib/envoy/bootstrap-delta.yaml" if delta else "contrib/envoy/bootstrap.yaml").read()
    bootstrap = bootstrap.replace("port_value: 18000", f"port_value: {xds_port}")
    admin_port = free_port()
    bootstrap = re.sub(r"port_value: 9901", f"port_value: {admin_port}", bootstrap)
    with open(f"{work}/{name}.yaml", "w") as f:
        f.write(bootstrap)
    envoys[name] = start(["envoy", "-c", f"{work}/{name}.yaml", "--disable-hot-restart", "--log-level", "warning"],
                         f"{name}.log")
    return f"127.0.0.1:{admin_port}"


def ingress(index, api_path="/api"):
    return {
        "apiVersion": "networking.k8s.io/v1", "kind": "Ingress", "metadata": {"name": f"r{index}"},
        "spec": {"rules": [{"host": f"r{index}.example.com", "http": {"paths": [
            {"path": "/", "pathType": "Prefix", "backend": {"service": {"name": "web", "port": {"number": 80}}}},
            {"path": api_path, "pathType": "Prefix", "backend": {"service": {"name": "api", "port": {"number": 80}}}},
        ]}}]}}


def wait(what, check, timeout=600, interval=0.05):
    deadline = time.time() + timeout
    while time.time() < deadline:
        try:
            if check():
                return
        except Exception as error:  # a large list cut short: poll again
            print(f"  ({what}: {error.__class__.__name__}, polling again)")
        time.sleep(interval)
    raise SystemExit(f"timed out: {what}")


try:
    east, west = standin("east"), standin("west")
    api = start([binary, "dev-apiserver", "--ephemeral", "--data-dir", f"{work}/api", "--secure-port", "0"], "api.log")
    wait("API server", lambda: os.path.exists(f"{work}/api/admin.kubeconfig"), 30)
    time.sleep(0.2)
    server, admin_token = kubeconfig_user(f"{work}/api/admin.kubeconfig")
    tls = ssl.create_default_context()
    tls.check_hostname = False
    tls.verify_mode = ssl.CERT_NONE
    for name, cluster in [("web", "east"), ("api", "west")]:
        request("POST", "/api/v1/namespaces/default/services", {
            "apiVersion": "v1", "kind": "Service",
            "metadata": {"name": name, "labels": {"kcp.dev/cluster": cluster}}, "spec": {"ports": [{"port": 80}]}})
    subprocess.run(["certs/gen-dev-certs.sh", f"{work}/certs"], check=True, capture_output=True)
    xds_port, listener_port, probe_port, metrics_port = free_port(), free_port(), free_port(), free_port()
    serve_args = [binary, "-kubeconfig", f"{work}/api/controller.kubeconfig",
                   "--webhook-port", "0", "--webhook-bind-address", "127.0.0.1",
                   "--tls-cert-file", f"{work}/certs/tls.crt", "--tls-private-key-file", f"{work}/certs/tls.key",
                   "--health-probe-bind-address", f"127.0.0.1:{probe_port}",
                   "--metrics-bind-address", f"127.0.0.1:{metrics_port}",
                   "-envoyxds", "--envoyxds-port", str(xds_port), "--envoyxds-bind-address", "127.0.0.1",
                   "--envoy-listener-address", "127.0.0.1", "-envoy-listener-port", str(listener_port),
                   "--kube-api-qps", "2000", "--kube-api-burst", "4000", "--log-level", "warning"]
    serve = start(serve_args, "serve.log")

    def ready():
        try:
            return urllib.request.urlopen(f"http://127.0.0.1:{probe_port}/readyz").status == 200
        except Exception:
            return False

    wait("serve ready", ready, 60)
    started = time.time()
    with concurrent.futures.ThreadPoolExecutor(16) as pool:
        list(pool.map(lambda i: request("POST", "/apis/networking.k8s.io/v1/namespaces/default/ingresses",
                                        ingress(i)), range(roots)))

    # Leaves are named after their roots: wait for the status loop's writes, not for a list of 20,000.
    def leaf_writes():
        return metric(metrics_port, "kcp_ingress_leaf_writes_total", result="success")

    wait("leaves", lambda: leaf_writes() >= 2 * roots, interval=0.5)
    items = [{"metadata": {"name": f"r{i}--{cluster}"}} for i in range(roots) for cluster in ("east", "west")]

    def write_status(leaf):
        port = east if leaf["metadata"]["name"].endswith("--east") else west
        request("PATCH", f"/apis/networking.k8s.io/v1/namespaces/default/ingresses/{leaf['metadata']['name']}/status",
                {"status": {"loadBalancer": {"ingress": [{"ip": "127.0.0.1", "ports": [{"port": port}]}]}}},
                content_type="application/merge-patch+json")

    with concurrent.futures.ThreadPoolExecutor(16) as pool:
        list(pool.map(write_status, items))
    print(f"{roots} roots and {len(items)} leaves with gateway addresses in {time.time() - started:.1f} s")

    # The status loop catches up with 20,000 leaf statuses (a root write
    # each): measured before it is done, changes would share both cores with it.
    settled = time.time()
    wait("status loop settled", lambda: metric(metrics_port, "workqueue_depth", name="status-loop") == 0
         and metric(metrics_port, "controller_runtime_reconcile_total") >= roots, interval=0.5)
    print(f"status loop settled {time.time() - settled:.1f} s later")
    sotw_admin = start_envoy("envoy-sotw", False, xds_port)
    connected = time.time()
    last = f"r{roots - 1}.example.com"
    wait("state-of-the-world Envoy routes every root",
         lambda: get(listener_port, last, "/api")[1].find('"west"') >= 0 and get(listener_port, "r0.example.com", "/")[1].find('"east"') >= 0)
    print(f"state of the world: Envoy routes all {roots} roots {time.time() - connected:.2f} s after it started")
    full_sotw = metric(metrics_port, "kcp_ingress_xds_response_bytes_total", mode="sotw")
    builds = metric(metrics_port, "kcp_ingress_xds_snapshot_build_seconds_count")
    build_sum = metric(metrics_port, "kcp_ingress_xds_snapshot_build_seconds_sum")
    print(f"snapshot builds so far: {builds:.0f}, mean {1000 * build_sum / max(builds, 1):.1f} ms")
    print(f"serve resident memory: {memory_mib(serve.pid):.0f} MiB (peak {memory_mib(serve.pid, 'VmHWM:'):.0f} MiB)")

    def p(values, q):
        values = sorted(values)
        return values[min(len(values) - 1, int(q * len(values)))] * 1000

    def one_root_changes(mode, admin, stat, first):
        """One-root changes, one at a time, with only this mode's Envoy on the
        listener port (both would share it through SO_REUSEPORT): time to
        Envoy applying it (its update_success counter) and to the first
        request it routes; serve's build and Envoy's answer (response sent →
        ACK) from serve's histograms; resource bytes per change."""
        applied, routed, sizes = [], [], []
        ack_type = "vhds" if mode == "delta" else "rds"
        before = {name: metric(metrics_port, name) for name in (
            "kcp_ingress_xds_snapshot_build_seconds_count", "kcp_ingress_xds_snapshot_build_seconds_sum")}
        acks = {name: metric(metrics_port, name, mode=mode, type=ack_type) for name in (
            "kcp_ingress_xds_ack_seconds_count", "kcp_ingress_xds_ack_seconds_sum")}
        for n in range(first, first + changes):
            index = (n * 7919) % roots
            path = f"/v{n}"
            bytes_before = metric(metrics_port, "kcp_ingress_xds_response_bytes_total", mode=mode)
            updates = envoy_stat(admin, stat)
            set_spec(index, ingress(index, path)["spec"])
            written = time.time()
            seen_applied = None
            while time.time() < written + 10:
                if seen_applied is None and envoy_stat(admin, stat) > updates:
                    seen_applied = time.time()
                status, body = get(listener_port, f"r{index}.example.com", path)
                if '"west"' in body:
                    routed.append(time.time() - written)
                    break
            applied.append((seen_applied or time.time()) - written)
            time.sleep(0.3)
            sizes.append(metric(metrics_port, "kcp_ingress_xds_response_bytes_total", mode=mode) - bytes_before)
        built = metric(metrics_port, "kcp_ingress_xds_snapshot_build_seconds_count") - before["kcp_ingress_xds_snapshot_build_seconds_count"]
        build_time = metric(metrics_port, "kcp_ingress_xds_snapshot_build_seconds_sum") - before["kcp_ingress_xds_snapshot_build_seconds_sum"]
        answered = metric(metrics_port, "kcp_ingress_xds_ack_seconds_count", mode=mode, type=ack_type) - acks["kcp_ingress_xds_ack_seconds_count"]
        answer_time = metric(metrics_port, "kcp_ingress_xds_ack_seconds_sum", mode=mode, type=ack_type) - acks["kcp_ingress_xds_ack_seconds_sum"]
        print(f"{mode}: one-root change, {changes} times: Envoy applied p50 {p(applied, .5):.0f} ms"
              f" p99 {p(applied, .99):.0f} ms; first request routed p50 {p(routed, .5):.0f} ms"
              f" p99 {p(routed, .99):.0f} ms ({len(routed)} routed)")
        print(f"  serve's share: {built / changes:.1f} snapshot builds per change, mean {1000 * build_time / max(built, 1):.0f} ms each;"
              f" Envoy's share: {ack_type} response sent → ACK mean {1000 * answer_time / max(answered, 1):.0f} ms ({answered:.0f} ACKs)")
        print(f"  bytes per one-root change: {statistics.median(sizes) / 1e3:.2f} KB (median)")
        return statistics.median(sizes)

    one_root_changes("sotw", sotw_admin, "rds.*update_success", 0)

    delta_admin = start_envoy("envoy-delta", True, xds_port)
    wait("delta Envoy connected", lambda: metric(metrics_port, "kcp_ingress_xds_streams", mode="delta") >= 1, 60)
    wait("delta Envoy holds every virtual host",
         lambda: envoy_stat(delta_admin, "vhds.*update_success") + 0 >= 1 and
         metric(metrics_port, "kcp_ingress_xds_response_bytes_total", mode="delta", type="vhds") > 0, 120)
    time.sleep(2)
    full_delta = metric(metrics_port, "kcp_ingress_xds_response_bytes_total", mode="delta")
    print(f"full push: state of the world {full_sotw / 1e6:.2f} MB, delta {full_delta / 1e6:.2f} MB (resource bytes)")
    print(f"serve resident memory, two Envoys connected: {memory_mib(serve.pid):.0f} MiB (peak {memory_mib(serve.pid, 'VmHWM:'):.0f} MiB)")

    # A burst of 1,000 changes from 16 writers, both Envoys connected: how many responses go out.
    responses_before = {m: metric(metrics_port, "kcp_ingress_xds_responses_total", mode=m) for m in ("sotw", "delta")}
    builds_before = metric(metrics_port, "kcp_ingress_xds_snapshot_build_seconds_count")

    def change(n):
        index = n % roots
        set_spec(index, ingress(index, f"/burst{n}")["spec"])

    burst_start = time.time()
    with concurrent.futures.ThreadPoolExecutor(16) as pool:
        list(pool.map(change, range(1000)))
    burst_time = time.time() - burst_start
    time.sleep(3)
    sent = {m: metric(metrics_port, "kcp_ingress_xds_responses_total", mode=m) - responses_before[m] for m in ("sotw", "delta")}
    built = metric(metrics_port, "kcp_ingress_xds_snapshot_build_seconds_count") - builds_before
    print(f"burst of 1,000 changes in {burst_time:.1f} s: {built:.0f} snapshot builds, responses sent:"
          f" state of the world {sent['sotw']:.0f}, delta {sent['delta']:.0f}")

    # The state-of-the-world Envoy leaves the listener port to the delta one.
    envoys["envoy-sotw"].terminate()
    envoys["envoy-sotw"].wait()
    delta_change = one_root_changes("delta", delta_admin, "vhds.*update_success", changes)
    print(f"  delta / full delta push = 1/{full_delta / max(delta_change, 1):.0f}")
    print(f"serve resident memory at the end: {memory_mib(serve.pid):.0f} MiB (peak {memory_mib(serve.pid, 'VmHWM:'):.0f} MiB)")

    # Idle: nothing changes; the informers' watches and the delta Envoy's stream stay open.
    time.sleep(5)
    before = cpu_seconds(serve.pid)
    time.sleep(idle_seconds)
    idle = cpu_seconds(serve.pid) - before
    print(f"idle: {60 * idle / idle_seconds:.2f} CPU-seconds per minute over {idle_seconds} s, "
          f"resident memory {memory_mib(serve.pid):.0f} MiB ({roots} roots, watches and one delta stream open)")

    # Start-up: a new serve against the API server as it now is, from process start to /readyz 200.
    serve.terminate()
    serve.wait()
    restarted = time.time()
    serve = start(serve_args, "serve-restarted.log")
    wait("restarted serve ready", ready, 120, interval=0.01)
    print(f"start-up: process start to /readyz 200 in {time.time() - restarted:.2f} s "
          f"against {roots} roots and {2 * roots} leaves")
finally:
    for process in processes:
        process.kill()
