"""The status loop under load: 1,000 roots with two leaves each.

Starts the development API server and serve (release builds) on 127.0.0.1,
creates the roots (the loop writes their leaves), then writes every leaf's
status as a syncer and measures: the time until every root's status is the
merge of its leaves', the status writes serve made (PATCH requests, from
its own client metrics), serve's CPU seconds and its peak memory.

    python3 contrib/bench/status_loop.py [ROOTS]      (or: make bench-status-loop)
"""
import concurrent.futures
import json
import os
import re
import ssl
import subprocess
import sys
import tempfile
import time
import urllib.request

from procstat import cpu_seconds, memory_mib

roots = int(sys.argv[1]) if len(sys.argv) > 1 else 1000
binary = ".build/release/kcp-ingress"
work = tempfile.mkdtemp(prefix="kcp-bench-status-")
syncer_token = "bench-syncer-token"
with open(f"{work}/tokens.csv", "w") as f:
    f.write(f'{syncer_token},syncer,syncer,"kcp-syncers"\n')

processes = []


def start(args, log):
    process = subprocess.Popen(args, stdout=open(f"{work}/{log}", "w"), stderr=subprocess.STDOUT)
    processes.append(process)
    return process


def cleanup():
    for process in processes:
        process.kill()


def kubeconfig_user(path):
    text = open(path).read()
    server = re.search(r"server: (\S+)", text).group(1)
    token = re.search(r"token: (\S+)", text).group(1)
    return server, token


def request(method, path, body=None, token=None, content_type="application/json"):
    data = None if body is None else json.dumps(body).encode()
    req = urllib.request.Request(server + path, data=data, method=method)
    req.add_header("Authorization", f"Bearer {token or admin_token}")
    if data is not None:
        req.add_header("Content-Type", content_type)
    with urllib.request.urlopen(req, context=tls) as response:
        return json.load(response)


def metrics(port):
    text = urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics").read().decode()
    patches = sum(float(v) for v in re.findall(r'rest_client_requests_total\{[^}]*method="PATCH"[^}]*\} (\S+)', text))
    return patches


try:
    api = start([binary, "dev-apiserver", "--ephemeral", "--data-dir", f"{work}/api", "--secure-port", "0",
                 "--token-auth-file", f"{work}/tokens.csv"], "api.log")
    for _ in range(100):
        if os.path.exists(f"{work}/api/admin.kubeconfig"):
            break
        time.sleep(0.1)
    time.sleep(0.2)
    server, admin_token = kubeconfig_user(f"{work}/api/admin.kubeconfig")
    tls = ssl.create_default_context(cafile=None)
    tls.check_hostname = False
    tls.verify_mode = ssl.CERT_NONE
    for name, cluster in [("web", "east"), ("api", "west")]:
        request("POST", "/api/v1/namespaces/default/services", {
            "apiVersion": "v1", "kind": "Service",
            "metadata": {"name": name, "labels": {"kcp.dev/cluster": cluster}}, "spec": {"ports": [{"port": 80}]}})
    subprocess.run(["certs/gen-dev-certs.sh", f"{work}/certs"], check=True, capture_output=True)
    serve = start([binary, "-kubeconfig", f"{work}/api/controller.kubeconfig", "--syncer-groups", "kcp-syncers",
                   "--webhook-port", "0", "--webhook-bind-address", "127.0.0.1",
                   "--tls-cert-file", f"{work}/certs/tls.crt", "--tls-private-key-file", f"{work}/certs/tls.key",
                   "--health-probe-bind-address", "127.0.0.1:18456", "--metrics-bind-address", "127.0.0.1:18457",
                   "--kube-api-qps", "2000", "--kube-api-burst", "4000", "--log-level", "warning"], "serve.log")
    for _ in range(300):
        try:
            urllib.request.urlopen("http://127.0.0.1:18456/readyz")
            break
        except Exception:
            time.sleep(0.1)

    def create(index):
        request("POST", "/apis/networking.k8s.io/v1/namespaces/default/ingresses", {
            "apiVersion": "networking.k8s.io/v1", "kind": "Ingress", "metadata": {"name": f"r{index}"},
            "spec": {"rules": [{"host": f"r{index}.example.com", "http": {"paths": [
                {"path": "/", "pathType": "Prefix", "backend": {"service": {"name": "web", "port": {"number": 80}}}},
                {"path": "/api", "pathType": "Prefix", "backend": {"service": {"name": "api", "port": {"number": 80}}}},
            ]}}]}})

    with concurrent.futures.ThreadPoolExecutor(16) as pool:
        list(pool.map(create, range(roots)))
    deadline = time.time() + 300
    while time.time() < deadline:
        leaves = request("GET", "/apis/networking.k8s.io/v1/namespaces/default/ingresses?labelSelector=kcp.dev/cluster")
        if len(leaves["items"]) == 2 * roots:
            break
        time.sleep(0.2)
    print(f"{roots} roots, {len(leaves['items'])} leaves written by the loop")
    time.sleep(2)  # let the loop settle the uid annotations and first statuses

    patches_before = metrics(18457)
    cpu_before = cpu_seconds(serve.pid)

    def write_status(leaf):
        name = leaf["metadata"]["name"]
        index, cluster = name[1:].split("--")
        ip = f"10.{1 if cluster == 'east' else 2}.{int(index) // 250}.{int(index) % 250}"
        request("PATCH", f"/apis/networking.k8s.io/v1/namespaces/default/ingresses/{name}/status",
                {"status": {"loadBalancer": {"ingress": [{"ip": ip}]}}}, token=syncer_token,
                content_type="application/merge-patch+json")

    start_time = time.time()
    with concurrent.futures.ThreadPoolExecutor(16) as pool:
        list(pool.map(write_status, leaves["items"]))
    written = time.time()
    converged = None
    while time.time() < written + 300:
        items = request("GET", "/apis/networking.k8s.io/v1/namespaces/default/ingresses")["items"]
        done = sum(1 for item in items if "kcp.dev/cluster" not in item["metadata"].get("labels", {})
                   and len(item.get("status", {}).get("loadBalancer", {}).get("ingress", [])) == 2)
        if done == roots:
            converged = time.time()
            break
        time.sleep(0.1)
    time.sleep(1)
    patches = metrics(18457) - patches_before
    cpu = cpu_seconds(serve.pid) - cpu_before
    print(f"leaf status writes: {2 * roots} in {written - start_time:.2f} s (16 writers)")
    if converged:
        print(f"all {roots} root statuses correct {converged - written:.2f} s after the last leaf write "
              f"({converged - start_time:.2f} s after the first)")
    else:
        print("root statuses did NOT converge within 300 s")
    print(f"root status writes by serve: {patches:.0f} for {roots} roots (ideal: {roots})")
    print(f"serve CPU during the status phase: {cpu:.2f} s; serve peak memory: {memory_mib(serve.pid, 'VmHWM:'):.0f} MiB")
finally:
    cleanup()
