/// A kind's identity on the API: group, version, kind and resource.
public struct ResourceType: Hashable, Sendable, CustomStringConvertible {
    public var group: String
    public var version: String
    public var kind: String
    /// The plural, lower-case name in URLs, such as `ingresses`.
    public var resource: String
    public var namespaced: Bool

    public init(group: String, version: String, kind: String, resource: String, namespaced: Bool = true) {
        self.group = group
        self.version = version
        self.kind = kind
        self.resource = resource
        self.namespaced = namespaced
    }

    /// `group/version`, or just `version` for the core group.
    public var apiVersion: String { group.isEmpty ? version : "\(group)/\(version)" }
    public var description: String { "\(resource).\(version).\(group)" }
}

/// A typed view of a whole Kubernetes object.
public protocol KubernetesObject: JSONView {
    static var type: ResourceType { get }
}

extension KubernetesObject {
    /// An empty object of this kind, with apiVersion, kind and a name.
    public init(name: String, namespace: String? = nil) {
        self.init(
            json: [
                "apiVersion": .string(Self.type.apiVersion), "kind": .string(Self.type.kind),
                "metadata": .object(JSONObject()),
            ])
        metadata.name = name
        metadata.namespace = namespace
    }

    public var apiVersion: String? { json.string("apiVersion") }
    public var kind: String? { json.string("kind") }

    public var metadata: ObjectMeta {
        get { ObjectMeta(json: json.field("metadata") ?? .object(JSONObject())) }
        set { json.setField("metadata", to: newValue.json) }
    }

    /// `namespace/name`, or `name` for cluster-scoped objects: the key stores and work queues use.
    public var key: String { metadata.key }
}

/// A value Kubernetes may extend: known cases, and anything else kept as is.
public protocol OpenEnum: RawRepresentable<String>, Hashable, Sendable {}

/// `True`, `False`, `Unknown`, or whatever else a newer API server sends.
public enum ConditionStatus: OpenEnum {
    case `true`, `false`, unknown
    case other(String)

    public init(rawValue: String) {
        switch rawValue {
        case "True": self = .true
        case "False": self = .false
        case "Unknown": self = .unknown
        default: self = .other(rawValue)
        }
    }

    public var rawValue: String {
        switch self {
        case .true: "True"
        case .false: "False"
        case .unknown: "Unknown"
        case .other(let value): value
        }
    }
}

/// A `metav1.Condition`.
public struct Condition: JSONView {
    public var json: JSON
    public init(json: JSON) { self.json = json }

    public init(type: String, status: ConditionStatus, reason: String, message: String, lastTransitionTime: String) {
        json = [
            "type": .string(type), "status": .string(status.rawValue), "reason": .string(reason),
            "message": .string(message), "lastTransitionTime": .string(lastTransitionTime),
        ]
    }

    public var type: String? { json.string("type") }
    public var status: ConditionStatus? { json.string("status").map(ConditionStatus.init(rawValue:)) }
    public var reason: String? { json.string("reason") }
    public var message: String? { json.string("message") }
    public var observedGeneration: Int64? { json.integer("observedGeneration") }
}
