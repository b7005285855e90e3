"""Load for the development API server benchmark: 10 watchers, 10,000
Ingress creations, then one list of them all. Prints timings; the shell
script adds the server's peak memory."""

import json
import os
import sys
import threading
import time

import requests

url, token, count, watchers, ca = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4]), sys.argv[5]
headers = {"Authorization": "Bearer " + token, "Content-Type": "application/json"}
collection = url + "/apis/networking.k8s.io/v1/namespaces/default/ingresses"
session = requests.Session()
session.trust_env = False  # REQUESTS_CA_BUNDLE in the environment would override `verify`
session.verify = ca

revision = session.get(collection, headers=headers).json()["metadata"]["resourceVersion"]
done = [0.0] * watchers
ready = threading.Barrier(watchers + 1)


def watcher(index):
    watch_session = requests.Session()
    watch_session.trust_env = False
    stream = watch_session.get(collection + "?watch=true&resourceVersion=%s&timeoutSeconds=300" % revision,
                               headers=headers, stream=True, verify=ca)
    ready.wait()
    seen = 0
    for line in stream.iter_lines():
        if line and json.loads(line)["type"] == "ADDED":
            seen += 1
            if seen == count:
                # Not closed: urllib3 would drain the stream to its end first.
                done[index] = time.monotonic()
                return


threads = [threading.Thread(target=watcher, args=(i,), daemon=True) for i in range(watchers)]
for thread in threads:
    thread.start()
ready.wait()
started = time.monotonic()
for i in range(count):
    body = {"metadata": {"name": "bench-%05d" % i, "labels": {"bench": "yes"}},
            "spec": {"rules": [{"host": "bench-%05d.example.com" % i}]}}
    response = session.post(collection, headers=headers, data=json.dumps(body))
    assert response.status_code == 201, response.text
created = time.monotonic()
deadline = time.monotonic() + 120
for thread in threads:
    thread.join(timeout=max(0.0, deadline - time.monotonic()))
complete = sum(1 for moment in done if moment > 0)
delivered = max(done)
listed_start = time.monotonic()
listing = session.get(collection, headers=headers)
listed = time.monotonic()
items = len(listing.json()["items"])
sys.stdout.flush()
print("creates|%d in %.2f s (%.0f/s)" % (count, created - started, count / (created - started)))
print("watch delivery|%d events to each of %d/%d watchers in %.2f s from the first create" % (count, complete, watchers, delivered - started))
print("list|%d items, %.1f MB, in %.3f s" % (items, len(listing.content) / 1e6, listed - listed_start))
sys.stdout.flush()
# The watch responses are still open; urllib3 would drain them at exit.
os._exit(0)
