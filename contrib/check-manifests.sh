#!/usr/bin/env bash
# Checks the manifests in deploy/: renders the base and each overlay with
# `kubectl kustomize`, validates every object against the Kubernetes API
# schemas with kubernetes-validate (strict: an unknown field fails), then
# checks what a schema cannot see:
#
#   * every webhook's timeoutSeconds is above the Deployment's --leaf-write-timeout;
#   * the pods meet the "restricted" Pod Security Standard, with a read-only root;
#   * the mutating webhook keeps off leaves (objectSelector kcp.dev/cluster DoesNotExist),
#     and both webhooks off kube-system and kcp-ingress's own namespace;
#   * the names that tie the objects together agree: webhook → Service → container
#     port, service account → --controller-username, Lease and Secret names → RBAC,
#     cert-manager's inject-ca-from → Certificate → the Secret the pod mounts;
#   * no Secret carries a private key, and no file under deploy/ holds one.
#
# cert-manager's kinds (cert-manager.io/*) have no schema in kubernetes-validate:
# they are left out of its run, said so, and only cross-checked here.
#
#   contrib/check-manifests.sh
#
# Run from anywhere; needs kubectl (`make deps`) and python3. Prints one line
# per rendered target and exits non-zero if anything failed.
set -euo pipefail

cd "$(dirname "$0")/.."

KUBERNETES_VERSION=1.32.0
TARGETS=(deploy deploy/overlays/cert-manager deploy/overlays/self-managed)

command -v kubectl >/dev/null || { echo "kubectl not found: make deps installs it" >&2; exit 2; }
if ! command -v kubernetes-validate >/dev/null; then
    echo "installing: kubernetes-validate (PyPI)"
    python3 -m pip install --quiet kubernetes-validate==1.37.0
fi
python3 -c "import yaml" 2>/dev/null || python3 -m pip install --quiet pyyaml
# pip may have put the script outside PATH; the module runs the same.
if command -v kubernetes-validate >/dev/null; then
    validate=(kubernetes-validate)
else
    validate=(python3 -m kubernetes_validate)
fi

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

cat >"$work/checks.py" <<'PYTHON'
import base64, re, sys
import yaml

CERT_MANAGER = re.compile(r"^cert-manager\.io/")
POD_TEMPLATE_KINDS = {"Deployment", "StatefulSet", "DaemonSet", "ReplicaSet", "Job"}
# Volume types the "restricted" Pod Security Standard allows.
RESTRICTED_VOLUMES = {"configMap", "csi", "downwardAPI", "emptyDir", "ephemeral",
                      "persistentVolumeClaim", "projected", "secret"}


def load(path):
    with open(path) as f:
        return [d for d in yaml.safe_load_all(f) if d]


def split(rendered, out):
    """Writes the objects kubernetes-validate has schemas for; prints how many of each."""
    docs = load(rendered)
    kept = [d for d in docs if not CERT_MANAGER.match(d.get("apiVersion", ""))]
    with open(out, "w") as f:
        yaml.safe_dump_all(kept, f)
    skipped = sorted({d["kind"] for d in docs if d not in kept})
    print(len(kept), len(docs) - len(kept), ",".join(skipped) or "-")


def flag(args, name, default=None):
    """The value of --name (or -name), written as --name=v or --name v; last wins."""
    value = default
    for i, arg in enumerate(args):
        bare = arg.lstrip("-")
        if arg.startswith("-") and bare == name and i + 1 < len(args) and not args[i + 1].startswith("-"):
            value = args[i + 1]
        elif arg.startswith("-") and bare.startswith(name + "="):
            value = bare[len(name) + 1:]
    return value


def has_flag(args, name):
    return any(a.startswith("-") and (a.lstrip("-") == name or a.lstrip("-").startswith(name + "=")) for a in args)


def seconds(duration):
    """A Go duration ("5s", "1m30s", "1500ms") in seconds."""
    units = {"ns": 1e-9, "us": 1e-6, "µs": 1e-6, "ms": 1e-3, "s": 1, "m": 60, "h": 3600}
    parts = re.findall(r"(\d+(?:\.\d+)?)(ns|us|µs|ms|s|m|h)", duration)
    if not parts or "".join(n + u for n, u in parts) != duration:
        raise ValueError(f"not a duration: {duration!r}")
    return sum(float(n) * units[u] for n, u in parts)


def pod_spec(doc):
    kind, spec = doc.get("kind"), doc.get("spec") or {}
    if kind == "Pod":
        return spec
    if kind == "CronJob":
        return ((spec.get("jobTemplate") or {}).get("spec") or {}).get("template", {}).get("spec")
    if kind in POD_TEMPLATE_KINDS:
        return (spec.get("template") or {}).get("spec")
    return None


def restricted(name, pod):
    """The "restricted" Pod Security Standard, as the admission plugin checks it."""
    errors = []
    psc = pod.get("securityContext") or {}
    if (psc.get("seccompProfile") or {}).get("type") == "Unconfined":
        errors.append(f"{name}: the pod's seccompProfile is Unconfined")
    for field in ("hostNetwork", "hostPID", "hostIPC"):
        if pod.get(field):
            errors.append(f"{name}: {field} is set")
    for volume in pod.get("volumes") or []:
        kinds = set(volume) - {"name"}
        if not kinds <= RESTRICTED_VOLUMES:
            errors.append(f"{name}: volume {volume.get('name')} is {', '.join(sorted(kinds))}")
    containers = [c for key in ("initContainers", "containers", "ephemeralContainers") for c in pod.get(key) or []]
    if not containers:
        errors.append(f"{name}: no containers")
    for c in containers:
        where = f"{name} container {c.get('name')}"
        sc = c.get("securityContext") or {}
        caps = sc.get("capabilities") or {}
        if sc.get("privileged"):
            errors.append(f"{where}: privileged")
        if sc.get("allowPrivilegeEscalation") is not False:
            errors.append(f"{where}: allowPrivilegeEscalation is not false")
        if "ALL" not in (caps.get("drop") or []):
            errors.append(f"{where}: capabilities do not drop ALL")
        if set(caps.get("add") or []) - {"NET_BIND_SERVICE"}:
            errors.append(f"{where}: adds capabilities {caps.get('add')}")
        if sc.get("runAsNonRoot", psc.get("runAsNonRoot")) is not True:
            errors.append(f"{where}: runAsNonRoot is not true")
        if sc.get("runAsUser", psc.get("runAsUser")) == 0:
            errors.append(f"{where}: runAsUser is 0")
        seccomp = (sc.get("seccompProfile") or psc.get("seccompProfile") or {}).get("type")
        if seccomp not in ("RuntimeDefault", "Localhost"):
            errors.append(f"{where}: seccompProfile is {seccomp or 'unset'}, not RuntimeDefault")
        if sc.get("procMount", "Default") != "Default":
            errors.append(f"{where}: procMount {sc.get('procMount')}")
        if any(p.get("hostPort") for p in c.get("ports") or []):
            errors.append(f"{where}: hostPort")
        if sc.get("readOnlyRootFilesystem") is not True:
            errors.append(f"{where}: readOnlyRootFilesystem is not true")
    return errors


def private_keys(doc):
    """The keys of a Secret that hold a private key."""
    found = []
    for key, value in (doc.get("stringData") or {}).items():
        if key.endswith(".key") or "PRIVATE KEY" in str(value):
            found.append(key)
    for key, value in (doc.get("data") or {}).items():
        try:
            text = base64.b64decode(str(value)).decode("utf-8", "replace")
        except ValueError:
            text = ""
        if key.endswith(".key") or "PRIVATE KEY" in text:
            found.append(key)
    return found


def excludes(selector, namespaces):
    """True when a namespaceSelector leaves out every one of `namespaces`."""
    for expr in (selector or {}).get("matchExpressions") or []:
        if (expr.get("key") == "kubernetes.io/metadata.name" and expr.get("operator") == "NotIn"
                and set(namespaces) <= set(expr.get("values") or [])):
            return True
    return False


def rbac_allows(docs, kind, namespace, group, resource, verb, name):
    for d in docs:
        if d.get("kind") != kind or (namespace and d["metadata"].get("namespace") != namespace):
            continue
        for rule in d.get("rules") or []:
            if (group in rule.get("apiGroups", []) and resource in rule.get("resources", [])
                    and verb in rule.get("verbs", []) and name in rule.get("resourceNames", [name])):
                return True
    return False


def check(rendered):
    docs = load(rendered)
    errors = []
    by_kind = lambda kind: [d for d in docs if d.get("kind") == kind]

    deployments = [d for d in by_kind("Deployment") if d["metadata"]["name"] == "kcp-ingress"]
    if len(deployments) != 1:
        return [f"expected one Deployment kcp-ingress, found {len(deployments)}"]
    deployment = deployments[0]
    namespace = deployment["metadata"].get("namespace", "default")
    pod = pod_spec(deployment)
    container = next((c for c in pod.get("containers") or [] if c.get("name") == "kcp-ingress"), None)
    if container is None:
        return ["the Deployment has no container kcp-ingress"]
    args = container.get("args") or []

    for d in docs:
        spec = pod_spec(d)
        if spec is not None:
            errors += restricted(f"{d['kind']} {d['metadata']['name']}", spec)

    # Webhook timeouts: the leaf writes end in time for the answer to arrive.
    leaf_timeout = seconds(flag(args, "leaf-write-timeout", "5s"))
    configurations = {kind: by_kind(kind) for kind in ("MutatingWebhookConfiguration", "ValidatingWebhookConfiguration")}
    for kind, found in configurations.items():
        if len(found) != 1:
            errors.append(f"expected one {kind}, found {len(found)}")
    services = {(s["metadata"].get("namespace"), s["metadata"]["name"]): s for s in by_kind("Service")}
    ports = {p.get("name"): p.get("containerPort") for p in container.get("ports") or []}
    webhook_port = int(flag(args, "webhook-port", "8443"))
    for kind, found in configurations.items():
        for configuration in found:
            for webhook in configuration.get("webhooks") or []:
                where = f"{kind} webhook {webhook.get('name')}"
                timeout = webhook.get("timeoutSeconds", 10)
                if not timeout > leaf_timeout:
                    errors.append(f"{where}: timeoutSeconds {timeout} is not above --leaf-write-timeout ({leaf_timeout:g}s)")
                if not excludes(webhook.get("namespaceSelector"), ["kube-system", namespace]):
                    errors.append(f"{where}: namespaceSelector does not leave out kube-system and {namespace}")
                if kind.startswith("Mutating"):
                    exprs = (webhook.get("objectSelector") or {}).get("matchExpressions") or []
                    if {"key": "kcp.dev/cluster", "operator": "DoesNotExist"} not in exprs:
                        errors.append(f"{where}: no objectSelector kcp.dev/cluster DoesNotExist (it would see leaves)")
                ref = (webhook.get("clientConfig") or {}).get("service")
                if not ref:
                    errors.append(f"{where}: clientConfig names no Service")
                    continue
                service = services.get((ref.get("namespace"), ref.get("name")))
                port = next((p for p in (service or {}).get("spec", {}).get("ports", []) if p.get("port") == ref.get("port", 443)), None)
                if port is None:
                    errors.append(f"{where}: no Service {ref.get('namespace')}/{ref.get('name')} with port {ref.get('port', 443)}")
                    continue
                target = port.get("targetPort", port.get("port"))
                if ports.get(target, target) != webhook_port:
                    errors.append(f"{where}: the Service sends port {port['port']} to {target}, not to --webhook-port {webhook_port}")

    # Identity: the leaves' only writer is this pod's service account.
    account = pod.get("serviceAccountName", "default")
    username = flag(args, "controller-username", "system:serviceaccount:kcp-ingress:kcp-ingress")
    if username != f"system:serviceaccount:{namespace}:{account}":
        errors.append(f"--controller-username {username} is not the pod's service account {namespace}/{account}")
    if not any(d["metadata"]["name"] == account and d["metadata"].get("namespace") == namespace for d in by_kind("ServiceAccount")):
        errors.append(f"no ServiceAccount {namespace}/{account}")
    if has_flag(args, "leader-elect"):
        lease = flag(args, "leader-election-id", "kcp-ingress-leader")
        lease_namespace = flag(args, "leader-election-namespace", namespace)
        for verb in ("get", "create", "update"):
            if not rbac_allows(docs, "Role", lease_namespace, "coordination.k8s.io", "leases", verb, lease):
                errors.append(f"no Role in {lease_namespace} lets it {verb} the Lease {lease}")

    # Certificates: where the serving pair comes from.
    volumes = {v["name"]: v for v in pod.get("volumes") or []}
    secrets_mounted = {v["secret"]["secretName"] for v in volumes.values() if "secret" in v}
    certificates = {(c["metadata"].get("namespace"), c["metadata"]["name"]): c for c in by_kind("Certificate")}
    if flag(args, "cert-management", "none") == "self":
        secret = flag(args, "cert-secret-name", "kcp-ingress-webhook-tls")
        if has_flag(args, "tls-cert-file") or secrets_mounted:
            errors.append("--cert-management=self but the pod still takes its certificate from a file or a Secret volume")
        for verb in ("get", "create", "update", "delete"):
            if not rbac_allows(docs, "Role", flag(args, "cert-namespace", namespace), "", "secrets", verb, secret):
                errors.append(f"--cert-management=self but no Role lets it {verb} the Secret {secret}")
        for kind, resource in (("Mutating", "mutatingwebhookconfigurations"), ("Validating", "validatingwebhookconfigurations")):
            for verb in ("get", "update"):
                if not rbac_allows(docs, "ClusterRole", None, "admissionregistration.k8s.io", resource, verb,
                                   flag(args, "webhook-configuration-name", "kcp-ingress")):
                    errors.append(f"--cert-management=self but no ClusterRole lets it {verb} the {kind}WebhookConfiguration")
    elif not has_flag(args, "tls-cert-file"):
        errors.append("no --tls-cert-file and no --cert-management=self: the webhook has no certificate")
    for kind, found in configurations.items():
        for configuration in found:
            source = (configuration["metadata"].get("annotations") or {}).get("cert-manager.io/inject-ca-from")
            if source is None:
                continue
            certificate = certificates.get(tuple(source.split("/", 1)))
            if certificate is None:
                errors.append(f"{kind}: inject-ca-from names {source}, which is not a rendered Certificate")
            elif certificate["spec"].get("secretName") not in secrets_mounted:
                errors.append(f"{kind}: the Certificate {source} writes a Secret the pod does not mount")
            else:
                want = f"{configuration['webhooks'][0]['clientConfig']['service']['name']}.{namespace}.svc"
                if want not in certificate["spec"].get("dnsNames", []):
                    errors.append(f"the Certificate {source} does not name {want}")

    for d in by_kind("Secret"):
        keys = private_keys(d)
        if keys:
            errors.append(f"Secret {d['metadata']['name']} carries a private key ({', '.join(keys)}): never commit keys")
    return errors


if __name__ == "__main__":
    if sys.argv[1] == "split":
        split(sys.argv[2], sys.argv[3])
    else:
        problems = check(sys.argv[2])
        for problem in problems:
            print(problem)
        sys.exit(1 if problems else 0)
PYTHON

failed=0
report() { # status, target, summary, details file
    printf '%-5s %s: %s\n' "$1" "$2" "$3"
    [ -s "$4" ] && sed 's/^/      /' "$4"
    return 0
}

for target in "${TARGETS[@]}"; do
    name=${target//\//_}
    rendered="$work/$name.yaml"
    details="$work/$name.details"
    : >"$details"
    if ! kubectl kustomize "$target" >"$rendered" 2>"$details"; then
        report FAIL "$target" "kubectl kustomize failed" "$details"
        failed=1
        continue
    fi
    read -r kept skipped skipped_kinds < <(python3 "$work/checks.py" split "$rendered" "$work/$name.k8s.yaml")
    status=ok
    summary="$kept objects valid for Kubernetes $KUBERNETES_VERSION"
    [ "$skipped" -gt 0 ] && summary+=", $skipped cert-manager.io objects ($skipped_kinds) skipped: no schema"

    # kubernetes-validate exits 0 on a kind it has no schema for, with a
    # WARN: every kind left here must have one, so a WARN fails too.
    if ! "${validate[@]}" --strict --kubernetes-version "$KUBERNETES_VERSION" --quiet "$work/$name.k8s.yaml" \
        >"$work/$name.validate" 2>&1 || grep -q . "$work/$name.validate"; then
        status=FAIL
        summary="schema validation failed"
        sed "s#$work/$name.k8s.yaml#$target#" "$work/$name.validate" >>"$details"
    fi
    if python3 "$work/checks.py" check "$rendered" >>"$details"; then
        summary+="; project checks passed"
    else
        status=FAIL
        summary+="; project checks failed"
    fi
    [ "$status" = ok ] || failed=1
    report "$status" "$target" "$summary" "$details"
done

keys=$(grep -rlE 'BEGIN ([A-Z]+ )?PRIVATE KEY' deploy || true)
if [ -n "$keys" ]; then
    printf '%-5s %s\n' FAIL "deploy/ holds private keys: $(echo $keys)"
    failed=1
else
    printf '%-5s %s\n' ok "deploy/ holds no private key"
fi

exit "$failed"
