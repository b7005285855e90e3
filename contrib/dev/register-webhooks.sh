#!/usr/bin/env bash
# Registers kcp-ingress's two webhooks with an API server, trusting the CA
# that signed the webhook's serving certificate.
#
#   contrib/dev/register-webhooks.sh KUBECONFIG CA_FILE [WEBHOOK_URL_BASE]
#
# WEBHOOK_URL_BASE defaults to https://127.0.0.1:8443.
set -euo pipefail
cd "$(dirname "$0")/../.."
kubeconfig=${1:?kubeconfig}
ca=${2:?CA file}
base=${3:-https://127.0.0.1:8443}
bundle=$(base64 -w0 <"$ca")
# Replaced whole rather than applied: a second `kubectl apply` (objects
# persist across runs) sends strategic merge directives that the
# development API server refuses.
kubectl --kubeconfig "$kubeconfig" delete --ignore-not-found \
    mutatingwebhookconfiguration/kcp-ingress validatingwebhookconfiguration/kcp-ingress
sed -e "s|CA_BUNDLE|$bundle|" -e "s|https://127.0.0.1:8443|$base|" contrib/dev/webhooks.yaml |
    kubectl --kubeconfig "$kubeconfig" create -f -
