"""Python's official kubernetes client against the development API server:
list, watch with resume, create, a conflicting update, a status patch.
Prints one line per observation for the Swift test to read."""

import sys

from kubernetes import client, config, watch
from kubernetes.client.rest import ApiException

config.load_kube_config(config_file=sys.argv[1])
networking = client.NetworkingV1Api()


def ingress(name):
    return {"apiVersion": "networking.k8s.io/v1", "kind": "Ingress", "metadata": {"name": name, "labels": {"py": "yes"}},
            "spec": {"rules": [{"host": "%s.example.com" % name}]}}


created = networking.create_namespaced_ingress("default", ingress("py-a"))
print("created %s uid=%s" % (created.metadata.name, bool(created.metadata.uid)), flush=True)

listed = networking.list_namespaced_ingress("default", label_selector="py=yes")
print("listed %s" % ",".join(i.metadata.name for i in listed.items), flush=True)
start = listed.metadata.resource_version

# A second writer changes the object; our stale copy then conflicts.
fresh = networking.read_namespaced_ingress("py-a", "default")
fresh.metadata.labels["step"] = "1"
networking.replace_namespaced_ingress("py-a", "default", fresh)
try:
    created.metadata.labels["step"] = "stale"
    networking.replace_namespaced_ingress("py-a", "default", created)
    print("no conflict", flush=True)
except ApiException as error:
    print("conflict %d %s" % (error.status, "Conflict" in error.body), flush=True)

patched = networking.patch_namespaced_ingress_status(
    "py-a", "default", {"status": {"loadBalancer": {"ingress": [{"hostname": "lb.example.com"}]}}})
print("status %s" % patched.status.load_balancer.ingress[0].hostname, flush=True)

networking.create_namespaced_ingress("default", ingress("py-b"))

# Resume from the list's version: everything since, in order.
events = []
for event in watch.Watch().stream(networking.list_namespaced_ingress, "default", resource_version=start, timeout_seconds=2):
    events.append("%s:%s" % (event["type"], event["object"].metadata.name))
print("watched %s" % ",".join(events), flush=True)
