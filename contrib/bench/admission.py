"""Writes the AdmissionReview bodies of the admission benchmark.

An Ingress CREATE review of about 1.6 KB (a root with backends on two
clusters), as kube-apiserver sends it, in three forms: for /validate, for
/mutate with dryRun, and a wrk script that gives every /mutate request a
root of its own name (so that each one really writes two leaves).

    python3 admission.py DIR
"""
import json
import sys

out = sys.argv[1]


def review(name, dry_run):
    paths = [
        {"path": "/", "pathType": "Prefix", "backend": {"service": {"name": "web", "port": {"number": 80}}}},
        {"path": "/api", "pathType": "Prefix", "backend": {"service": {"name": "api", "port": {"number": 80}}}},
    ]
    ingress = {
        "apiVersion": "networking.k8s.io/v1", "kind": "Ingress",
        "metadata": {"name": name, "namespace": "default", "labels": {"app": "shop", "tier": "frontend"},
                     "annotations": {"kubernetes.io/ingress.class": "kcp", "example.com/owner": "team-shop",
                                     "example.com/description": "the shop's front door: storefront pages on /, "
                                     "the JSON API on /api, both served from two clusters and fronted by one "
                                     "Envoy; owned by the shop team, paged through the shop-oncall rotation, "
                                     "reviewed quarterly"}},
        "spec": {"ingressClassName": "kcp",
                 "rules": [{"host": name + ".kcp-apps.127.0.0.1.nip.io", "http": {"paths": paths}}],
                 "tls": [{"hosts": [name + ".kcp-apps.127.0.0.1.nip.io"], "secretName": "shop-tls"}]},
    }
    gvk = {"group": "networking.k8s.io", "version": "v1", "kind": "Ingress"}
    gvr = {"group": "networking.k8s.io", "version": "v1", "resource": "ingresses"}
    return {
        "apiVersion": "admission.k8s.io/v1", "kind": "AdmissionReview",
        "request": {
            "uid": "705ab4f5-6393-11e8-b7cc-42010a800002", "kind": gvk, "resource": gvr,
            "requestKind": gvk, "requestResource": gvr, "name": name, "namespace": "default",
            "operation": "CREATE",
            "userInfo": {"username": "kubernetes-admin", "uid": "014fbff9a07c",
                         "groups": ["system:masters", "system:authenticated"]},
            "object": ingress, "oldObject": None, "dryRun": dry_run,
            "options": {"kind": "CreateOptions", "apiVersion": "meta.k8s.io/v1", "fieldManager": "kubectl-create"},
        },
    }


def dump(value):
    return json.dumps(value, separators=(",", ":"))


with open(out + "/validate.json", "w") as f:
    f.write(dump(review("shop", False)))
with open(out + "/dryrun.json", "w") as f:
    f.write(dump(review("shop", True)))
template = dump(review("ROOTNAME", False))
with open(out + "/writes.lua", "w") as f:
    f.write('wrk.method = "POST"\nwrk.headers["Content-Type"] = "application/json"\n')
    f.write("local template = [==[%s]==]\n" % template)
    f.write("local counter = 0\n")
    f.write("request = function()\n  counter = counter + 1\n")
    f.write('  return wrk.format(nil, nil, nil, (template:gsub("ROOTNAME", "r" .. counter)))\nend\n')
print(len(dump(review("shop", False))))
