import Foundation
import KubeAPI
import KubeClient

/// kcp-ingress's two webhook configurations, for a webhook served at a URL
/// (as `kcp-ingress dev` serves it; in a cluster, `deploy/` holds them with
/// a Service reference instead). The same rules as `deploy/`'s:
///
/// - the mutating webhook places roots and writes their leaves; its
///   objectSelector keeps it off leaves, which carry `kcp.dev/cluster`;
/// - the validating webhook sees every object of the three kinds and their
///   status, leaves included, so that only kcp-ingress may change a leaf.
struct WebhookRegistration {
    var name: String
    var urlBase: String
    var caPEM: [UInt8]
    /// Above serve's default `--leaf-write-timeout` (5s), so that a slow
    /// leaf write fails in the webhook, with a message, not in the API server.
    var timeoutSeconds = 10

    private static let resources = ["ingresses", "httproutes", "routes"]

    private func rule(_ resources: [String]) -> JSON {
        [
            "apiGroups": ["networking.k8s.io", "gateway.networking.k8s.io", "route.openshift.io"],
            "apiVersions": ["v1"],
            "operations": ["CREATE", "UPDATE", "DELETE"],
            "resources": .array(resources.map(JSON.string)),
        ]
    }

    private func clientConfig(_ path: String) -> JSON {
        ["url": .string(urlBase + path), "caBundle": .string(Data(caPEM).base64EncodedString())]
    }

    var mutating: JSON {
        [
            "apiVersion": "admissionregistration.k8s.io/v1", "kind": "MutatingWebhookConfiguration",
            "metadata": ["name": .string(name)],
            "webhooks": [
                [
                    "name": "mutate.kcp-ingress.kcp.dev",
                    "clientConfig": clientConfig("/mutate"),
                    "rules": [rule(Self.resources)],
                    "objectSelector": [
                        "matchExpressions": [["key": "kcp.dev/cluster", "operator": "DoesNotExist"]]
                    ],
                    "sideEffects": "NoneOnDryRun",
                    "admissionReviewVersions": ["v1", "v1beta1"],
                    "failurePolicy": "Fail",
                    "reinvocationPolicy": "IfNeeded",
                    "timeoutSeconds": .integer(Int64(timeoutSeconds)),
                ]
            ],
        ]
    }

    var validating: JSON {
        [
            "apiVersion": "admissionregistration.k8s.io/v1", "kind": "ValidatingWebhookConfiguration",
            "metadata": ["name": .string(name)],
            "webhooks": [
                [
                    "name": "validate.kcp-ingress.kcp.dev",
                    "clientConfig": clientConfig("/validate"),
                    "rules": [rule(Self.resources + Self.resources.map { $0 + "/status" })],
                    "sideEffects": "None",
                    "admissionReviewVersions": ["v1", "v1beta1"],
                    "failurePolicy": "Fail",
                    "timeoutSeconds": .integer(Int64(timeoutSeconds)),
                ]
            ],
        ]
    }

    /// Creates both configurations, or replaces what a previous run left
    /// (another port or CA), retrying when another writer got in between.
    func apply(_ client: APIClient) async throws {
        for (object, type) in [
            (mutating, MutatingWebhookConfiguration.type), (validating, ValidatingWebhookConfiguration.type),
        ] {
            try await upsert(object, type, client)
        }
    }

    private func upsert(_ object: JSON, _ type: ResourceType, _ client: APIClient) async throws {
        for attempt in 1...5 {
            do {
                let existing = try await client.get(type, namespace: nil, name: name)
                var replacement = object
                replacement.setField(
                    "metadata", "resourceVersion", to: existing["metadata"]?["resourceVersion"])
                _ = try await client.update(replacement, type)
                return
            } catch let error as KubeError where error.reason == .notFound {
                do {
                    _ = try await client.create(object, type, namespace: nil)
                    return
                } catch let error as KubeError where error.reason == .alreadyExists && attempt < 5 {
                    continue
                }
            } catch let error as KubeError where error.reason == .conflict && attempt < 5 {
                continue
            }
        }
    }
}
