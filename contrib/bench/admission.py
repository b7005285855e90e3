"""Writes the AdmissionReview bodies of the admission benchmarks.

CREATE reviews as kube-apiserver sends them, of a root with backends on two
clusters (Services `web` on east and `api` on west), for each kind we place
(Ingress, HTTPRoute, Route) in two sizes: about 1.6 KB, and about 10 KB (the
same root with more paths and the `kubectl.kubernetes.io/last-applied-configuration`
annotation that `kubectl apply` leaves). For each: KIND-SIZE-validate.json,
KIND-SIZE-dryrun.json (/mutate with dryRun), and KIND-SIZE-writes.lua, a wrk
script that gives every /mutate request a root of its own name (so that each
one really writes two leaves). validate.json, dryrun.json and writes.lua are
the small Ingress's. Prints {"KIND-SIZE": bytes of the validate review}.

    python3 admission.py DIR
"""
import json
import sys

out = sys.argv[1]
DESCRIPTION = ("the shop's front door: storefront pages on /, the JSON API on /api, both served from two clusters "
               "and fronted by one Envoy; owned by the shop team, paged through the shop-oncall rotation, "
               "reviewed quarterly")
GROUPS = {"ingress": ("networking.k8s.io", "v1", "Ingress", "ingresses"),
          "httproute": ("gateway.networking.k8s.io", "v1", "HTTPRoute", "httproutes"),
          "route": ("route.openshift.io", "v1", "Route", "routes")}


def paths(size):
    """(path, service) pairs: / and /api, and for the large review 22 more."""
    pairs = [("/", "web"), ("/api", "api")]
    if size == "large":
        pairs += [(f"/catalogue/section-{n}", "web" if n % 2 else "api") for n in range(22)]
    return pairs


def spec(kind, name, size):
    host = name + ".kcp-apps.127.0.0.1.nip.io"
    pairs = paths(size)
    if kind == "ingress":
        return {"ingressClassName": "kcp",
                "rules": [{"host": host, "http": {"paths": [
                    {"path": path, "pathType": "Prefix",
                     "backend": {"service": {"name": service, "port": {"number": 80}}}} for path, service in pairs]}}],
                "tls": [{"hosts": [host], "secretName": "shop-tls"}]}
    if kind == "httproute":
        return {"parentRefs": [{"name": "kcp-gateway", "namespace": "kcp-system"}],
                "hostnames": [host],
                "rules": [{"matches": [{"path": {"type": "PathPrefix", "value": path}}],
                           "backendRefs": [{"name": service, "port": 80}]} for path, service in pairs]}
    # A Route has one path; the large one weighs its backends and carries more annotations instead.
    route = {"host": host, "path": "/", "to": {"kind": "Service", "name": "web", "weight": 50},
             "alternateBackends": [{"kind": "Service", "name": "api", "weight": 50}],
             "port": {"targetPort": 80}, "tls": {"termination": "edge"}}
    return route


def root(kind, name, size):
    group, version, kind_name, _ = GROUPS[kind]
    annotations = {"kubernetes.io/ingress.class": "kcp", "example.com/owner": "team-shop",
                   "example.com/description": DESCRIPTION}
    obj = {"apiVersion": f"{group}/{version}", "kind": kind_name,
           "metadata": {"name": name, "namespace": "default", "labels": {"app": "shop", "tier": "frontend"},
                        "annotations": annotations},
           "spec": spec(kind, name, size)}
    if size == "large":
        applied = json.loads(json.dumps(obj))
        annotations["kubectl.kubernetes.io/last-applied-configuration"] = dump(applied) + "\n"
        annotations.update({f"example.com/runbook-{n}": f"https://runbooks.example.com/shop/{n}" for n in range(30)})
        if kind == "route":
            annotations["example.com/notes"] = DESCRIPTION * 23
    return obj


def review(kind, name, size, dry_run):
    group, version, kind_name, resource = GROUPS[kind]
    gvk = {"group": group, "version": version, "kind": kind_name}
    gvr = {"group": group, "version": version, "resource": resource}
    return {
        "apiVersion": "admission.k8s.io/v1", "kind": "AdmissionReview",
        "request": {
            "uid": "705ab4f5-6393-11e8-b7cc-42010a800002", "kind": gvk, "resource": gvr,
            "requestKind": gvk, "requestResource": gvr, "name": name, "namespace": "default",
            "operation": "CREATE",
            "userInfo": {"username": "kubernetes-admin", "uid": "014fbff9a07c",
                         "groups": ["system:masters", "system:authenticated"]},
            "object": root(kind, name, size), "oldObject": None, "dryRun": dry_run,
            "options": {"kind": "CreateOptions", "apiVersion": "meta.k8s.io/v1", "fieldManager": "kubectl-create"},
        },
    }


def dump(value):
    return json.dumps(value, separators=(",", ":"))


# wrk prints p50..p99 only; this adds p99.9 (µs) to its output.
WRK_DONE = ('done = function(summary, latency, requests)\n'
            '  io.write(string.format("p99.9 %d us\\n", latency:percentile(99.9)))\nend\n')


def write(path, text):
    with open(f"{out}/{path}", "w") as f:
        f.write(text)


sizes = {}
for kind in GROUPS:
    for size in ("small", "large"):
        prefix = f"{kind}-{size}"
        write(f"{prefix}-validate.json", dump(review(kind, "shop", size, False)))
        write(f"{prefix}-dryrun.json", dump(review(kind, "shop", size, True)))
        template = dump(review(kind, "ROOTNAME", size, False))
        write(f"{prefix}-writes.lua",
              'wrk.method = "POST"\nwrk.headers["Content-Type"] = "application/json"\n'
              f"local template = [==[{template}]==]\n"
              "local counter = 0\n"
              "request = function()\n  counter = counter + 1\n"
              '  return wrk.format(nil, nil, nil, (template:gsub("ROOTNAME", "' + prefix + '-" .. counter)))\nend\n'
              + WRK_DONE)
        sizes[prefix] = len(dump(review(kind, "shop", size, False)))
for name in ("validate.json", "dryrun.json"):
    write(name, open(f"{out}/ingress-small-{name}").read())
write("writes.lua", open(f"{out}/ingress-small-writes.lua").read())
print(json.dumps(sizes))
