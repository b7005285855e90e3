/// `admissionregistration.k8s.io/v1` MutatingWebhookConfiguration.
public struct MutatingWebhookConfiguration: KubernetesObject {
    public static let type = ResourceType(
        group: "admissionregistration.k8s.io", version: "v1", kind: "MutatingWebhookConfiguration",
        resource: "mutatingwebhookconfigurations", namespaced: false)
    public var json: JSON
    public init(json: JSON) { self.json = json }

    public var webhooks: [Webhook] { json.array("webhooks").map(Webhook.init(json:)) }
}

/// `admissionregistration.k8s.io/v1` ValidatingWebhookConfiguration.
public struct ValidatingWebhookConfiguration: KubernetesObject {
    public static let type = ResourceType(
        group: "admissionregistration.k8s.io", version: "v1", kind: "ValidatingWebhookConfiguration",
        resource: "validatingwebhookconfigurations", namespaced: false)
    public var json: JSON
    public init(json: JSON) { self.json = json }

    public var webhooks: [Webhook] { json.array("webhooks").map(Webhook.init(json:)) }
}

/// One webhook of either configuration kind.
public struct Webhook: JSONView {
    public var json: JSON
    public init(json: JSON) { self.json = json }

    public var name: String? { json.string("name") }
    public var url: String? { json.string("clientConfig", "url") }
    /// Base64 PEM, as written in the object.
    public var caBundle: String? { json.string("clientConfig", "caBundle") }
    public var serviceReference: JSON? { json.field("clientConfig", "service") }
    public var rules: [RuleWithOperations] { json.array("rules").map(RuleWithOperations.init(json:)) }
    /// `Fail` (the default in v1) or `Ignore`.
    public var failurePolicy: String { json.string("failurePolicy") ?? "Fail" }
    /// `None`, `NoneOnDryRun`, `Some` or `Unknown`.
    public var sideEffects: String? { json.string("sideEffects") }
    /// Defaults to 10 seconds, at most 30.
    public var timeoutSeconds: Int64 { json.integer("timeoutSeconds") ?? 10 }
    public var admissionReviewVersions: [String] {
        json.array("admissionReviewVersions").compactMap(\.stringValue)
    }
    public var namespaceSelector: JSON? { json.field("namespaceSelector") }
    public var objectSelector: JSON? { json.field("objectSelector") }
    /// `Equivalent` (the default) or `Exact`.
    public var matchPolicy: String { json.string("matchPolicy") ?? "Equivalent" }
    public var reinvocationPolicy: String { json.string("reinvocationPolicy") ?? "Never" }
}

/// Which requests a webhook is called for.
public struct RuleWithOperations: JSONView {
    public var json: JSON
    public init(json: JSON) { self.json = json }

    public var operations: [String] { json.array("operations").compactMap(\.stringValue) }
    public var apiGroups: [String] { json.array("apiGroups").compactMap(\.stringValue) }
    public var apiVersions: [String] { json.array("apiVersions").compactMap(\.stringValue) }
    public var resources: [String] { json.array("resources").compactMap(\.stringValue) }
    /// `Namespaced`, `Cluster` or `*` (the default).
    public var scope: String { json.string("scope") ?? "*" }
}
