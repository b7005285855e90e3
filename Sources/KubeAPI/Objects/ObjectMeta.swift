/// `metadata` of any Kubernetes object.
public struct ObjectMeta: JSONView {
    public var json: JSON

    public init(json: JSON) { self.json = json }
    public init() { json = .object(JSONObject()) }

    /// The key stores and work queues use: `namespace/name` (or `name` for
    /// cluster-scoped objects), prefixed with `cluster|` when the object lives
    /// in a kcp logical cluster (see `ObjectKey`).
    public var key: String { ObjectKey(self).description }

    /// The kcp logical cluster (workspace) the object lives in: the annotation
    /// `kcp.io/cluster`, else older kcp's annotation `kcp.dev/cluster`, else
    /// `metadata.clusterName`; empty on plain Kubernetes (one unnamed cluster).
    public var logicalCluster: String {
        let annotations = json.field("annotations")
        return annotations?["kcp.io/cluster"]?.stringValue ?? annotations?["kcp.dev/cluster"]?.stringValue
            ?? json.string("clusterName") ?? ""
    }

    public var name: String? {
        get { json.string("name") }
        set { json.setField("name", to: newValue.map(JSON.string)) }
    }
    public var generateName: String? {
        get { json.string("generateName") }
        set { json.setField("generateName", to: newValue.map(JSON.string)) }
    }
    public var namespace: String? {
        get { json.string("namespace") }
        set { json.setField("namespace", to: newValue.map(JSON.string)) }
    }
    public var uid: String? {
        get { json.string("uid") }
        set { json.setField("uid", to: newValue.map(JSON.string)) }
    }
    public var resourceVersion: String? {
        get { json.string("resourceVersion") }
        set { json.setField("resourceVersion", to: newValue.map(JSON.string)) }
    }
    public var generation: Int64? {
        get { json.integer("generation") }
        set { json.setField("generation", to: newValue.map(JSON.integer)) }
    }
    /// RFC 3339, as the API server writes it.
    public var creationTimestamp: String? {
        get { json.string("creationTimestamp") }
        set { json.setField("creationTimestamp", to: newValue.map(JSON.string)) }
    }
    public var deletionTimestamp: String? {
        get { json.string("deletionTimestamp") }
        set { json.setField("deletionTimestamp", to: newValue.map(JSON.string)) }
    }
    public var labels: [String: String] {
        get { json.stringMap("labels") }
        set { json.setStringMap("labels", to: newValue) }
    }
    public var annotations: [String: String] {
        get { json.stringMap("annotations") }
        set { json.setStringMap("annotations", to: newValue) }
    }
    /// Sets one label (nil removes it), leaving the others as they are.
    public mutating func setLabel(_ key: String, to value: String?) {
        json.setStringMapEntry("labels", key: key, to: value)
    }
    /// Sets one annotation (nil removes it), leaving the others as they are.
    public mutating func setAnnotation(_ key: String, to value: String?) {
        json.setStringMapEntry("annotations", key: key, to: value)
    }
    public var finalizers: [String] {
        get { json.array("finalizers").compactMap(\.stringValue) }
        set { json.setField("finalizers", to: newValue.isEmpty ? nil : JSON.strings(newValue)) }
    }
    public var ownerReferences: [OwnerReference] {
        get { json.array("ownerReferences").map(OwnerReference.init(json:)) }
        set { json.setField("ownerReferences", to: newValue.isEmpty ? nil : .array(newValue.map(\.json))) }
    }
}

public struct OwnerReference: JSONView {
    public var json: JSON
    public init(json: JSON) { self.json = json }

    public init(apiVersion: String, kind: String, name: String, uid: String, controller: Bool? = nil) {
        json = ["apiVersion": .string(apiVersion), "kind": .string(kind), "name": .string(name), "uid": .string(uid)]
        if let controller { json.setField("controller", to: .bool(controller)) }
    }

    public var apiVersion: String? { json.string("apiVersion") }
    public var kind: String? { json.string("kind") }
    public var name: String? { json.string("name") }
    public var uid: String? { json.string("uid") }
    public var controller: Bool { json.bool("controller") ?? false }
}
