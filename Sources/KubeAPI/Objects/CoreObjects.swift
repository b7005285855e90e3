/// `v1` Service.
public struct Service: KubernetesObject {
    public static let type = ResourceType(group: "", version: "v1", kind: "Service", resource: "services")
    public var json: JSON
    public init(json: JSON) { self.json = json }

    public var type: String { json.string("spec", "type") ?? "ClusterIP" }
    public var clusterIP: String? { json.string("spec", "clusterIP") }
    public var ports: [JSON] { json.array("spec", "ports") }
    public var selector: [String: String] { json.stringMap("spec", "selector") }
    public var loadBalancerIngress: [LoadBalancerIngress] {
        json.array("status", "loadBalancer", "ingress").map(LoadBalancerIngress.init(json:))
    }
}

/// `v1` Namespace.
public struct Namespace: KubernetesObject {
    public static let type = ResourceType(
        group: "", version: "v1", kind: "Namespace", resource: "namespaces", namespaced: false)
    public var json: JSON
    public init(json: JSON) { self.json = json }

    public var phase: String? { json.string("status", "phase") }
}

/// `coordination.k8s.io/v1` Lease, for leader election.
public struct Lease: KubernetesObject {
    public static let type = ResourceType(
        group: "coordination.k8s.io", version: "v1", kind: "Lease", resource: "leases")
    public var json: JSON
    public init(json: JSON) { self.json = json }

    public var holderIdentity: String? {
        get { json.string("spec", "holderIdentity") }
        set { json.setField("spec", "holderIdentity", to: newValue.map(JSON.string)) }
    }
    public var leaseDurationSeconds: Int64? {
        get { json.integer("spec", "leaseDurationSeconds") }
        set { json.setField("spec", "leaseDurationSeconds", to: newValue.map(JSON.integer)) }
    }
    /// RFC 3339 with microseconds (`metav1.MicroTime`).
    public var acquireTime: String? {
        get { json.string("spec", "acquireTime") }
        set { json.setField("spec", "acquireTime", to: newValue.map(JSON.string)) }
    }
    public var renewTime: String? {
        get { json.string("spec", "renewTime") }
        set { json.setField("spec", "renewTime", to: newValue.map(JSON.string)) }
    }
    public var leaseTransitions: Int64? {
        get { json.integer("spec", "leaseTransitions") }
        set { json.setField("spec", "leaseTransitions", to: newValue.map(JSON.integer)) }
    }
}

/// `v1` Secret. `data`'s values are base64 on the wire; `bytes(for:)` decodes one.
public struct Secret: KubernetesObject {
    public static let type = ResourceType(group: "", version: "v1", kind: "Secret", resource: "secrets")
    public var json: JSON
    public init(json: JSON) { self.json = json }

    public var secretType: String { json.string("type") ?? "Opaque" }

    /// The decoded value of `data[key]`; nil when absent or not base64.
    public func bytes(for key: String) -> [UInt8]? {
        json.string("data", key).flatMap { Base64.decode($0) }
    }
}
