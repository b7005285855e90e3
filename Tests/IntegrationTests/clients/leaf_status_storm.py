"""Writes leaf statuses as a syncer, many times over: the storm of the status
loop's test. Every leaf gets WRITES merge patches of its status; they
alternate between one address and the same address listed twice, so each
leaf's merged contribution never changes after its first write.

    python3 leaf_status_storm.py SERVER TOKEN NAMESPACE ROOTS WRITES
"""
import concurrent.futures
import json
import ssl
import sys
import urllib.request

server, token, namespace, roots, writes = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4]), int(sys.argv[5])
tls = ssl.create_default_context()
tls.check_hostname = False
tls.verify_mode = ssl.CERT_NONE


def address(root, cluster):
    return f"10.{1 if cluster == 'east' else 2}.0.{root}"


def patch(job):
    root, cluster, round_ = job
    ip = address(root, cluster)
    entries = [{"ip": ip}] if round_ % 2 == 0 else [{"ip": ip}, {"ip": ip}]
    body = json.dumps({"status": {"loadBalancer": {"ingress": entries}}}).encode()
    path = f"/apis/networking.k8s.io/v1/namespaces/{namespace}/ingresses/r{root}--{cluster}/status"
    request = urllib.request.Request(server + path, data=body, method="PATCH")
    request.add_header("Authorization", f"Bearer {token}")
    request.add_header("Content-Type", "application/merge-patch+json")
    with urllib.request.urlopen(request, context=tls) as response:
        response.read()


jobs = [(root, cluster, round_) for round_ in range(writes) for root in range(roots) for cluster in ("east", "west")]
with concurrent.futures.ThreadPoolExecutor(1) as pool:  # one at a time: the loop sees each change
    list(pool.map(patch, jobs))
print(len(jobs))
