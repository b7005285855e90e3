"""Concurrent creates against the development API server: WRITERS threads,
each with its own keep-alive connection, create COUNT Ingresses in all.
Prints creates per second. Run it against a server with persistence on
(no --ephemeral) to measure the object log's fsyncs."""

import sys
import threading
import time

import requests

url, token, count, writers, ca = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4]), sys.argv[5]
headers = {"Authorization": "Bearer " + token, "Content-Type": "application/json"}
collection = url + "/apis/networking.k8s.io/v1/namespaces/default/ingresses"
failures = []


def writer(index):
    session = requests.Session()
    session.trust_env = False
    session.verify = ca
    for n in range(index, count, writers):
        body = '{"metadata":{"name":"w-%d"},"spec":{"rules":[{"host":"w-%d.example.com"}]}}' % (n, n)
        response = session.post(collection, data=body, headers=headers, timeout=60)
        if response.status_code != 201:
            failures.append(response.status_code)


threads = [threading.Thread(target=writer, args=(index,)) for index in range(writers)]
start = time.monotonic()
for thread in threads:
    thread.start()
for thread in threads:
    thread.join()
elapsed = time.monotonic() - start
print("creates|%d by %d writers in %.2f s: %.0f/s (%d failed)" % (count, writers, elapsed, count / elapsed,
                                                                   len(failures)))
