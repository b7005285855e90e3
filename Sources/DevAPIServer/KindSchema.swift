import KubeAPI

/// The shape of the built-in kinds served here, enough to do what
/// kube-apiserver's decoder does to a webhook's patched object: fields the
/// Go type does not have are dropped, and a value of the wrong JSON type is
/// an error (kube-apiserver answers 500). HTTPRoute and Route are kept
/// whole, as a CRD that preserves unknown fields keeps them.
indirect enum KindSchema: Sendable {
    case string, integer, boolean, intOrString
    /// Any JSON value, kept as is (conditions, free-form fields).
    case any
    case list(KindSchema)
    case map(KindSchema)
    case object([String: KindSchema])

    /// The object with unknown fields dropped; throws naming the first
    /// field of the wrong type.
    func decode(_ value: JSON, path: String) throws(KindSchemaError) -> JSON {
        if value.isNull { return value }
        switch self {
        case .any:
            return value
        case .string:
            guard value.stringValue != nil else { throw KindSchemaError(path: path, expected: "string", value) }
            return value
        case .integer:
            guard value.integerValue != nil else { throw KindSchemaError(path: path, expected: "integer", value) }
            return value
        case .boolean:
            guard value.boolValue != nil else { throw KindSchemaError(path: path, expected: "boolean", value) }
            return value
        case .intOrString:
            guard value.integerValue != nil || value.stringValue != nil else {
                throw KindSchemaError(path: path, expected: "integer or string", value)
            }
            return value
        case .list(let element):
            guard let items = value.arrayValue else { throw KindSchemaError(path: path, expected: "list", value) }
            var decoded: [JSON] = []
            for (index, item) in items.enumerated() {
                decoded.append(try element.decode(item, path: "\(path)[\(index)]"))
            }
            return .array(decoded)
        case .map(let element):
            guard let members = value.objectValue else { throw KindSchemaError(path: path, expected: "object", value) }
            var decoded = JSONObject()
            for (key, member) in members { decoded[key] = try element.decode(member, path: "\(path).\(key)") }
            return .object(decoded)
        case .object(let fields):
            guard let members = value.objectValue else { throw KindSchemaError(path: path, expected: "object", value) }
            var decoded = JSONObject()
            for (key, member) in members {
                guard let field = fields[key] else { continue }
                decoded[key] = try field.decode(member, path: path.isEmpty ? key : "\(path).\(key)")
            }
            return .object(decoded)
        }
    }

    /// The schema of a served kind; nil for kinds kept whole.
    static func of(_ type: ResourceType) -> KindSchema? {
        let top: [String: KindSchema]?
        switch type.kind {
        case "Ingress": top = ["spec": ingressSpec, "status": ["loadBalancer": loadBalancerStatus]]
        case "Service":
            top = ["spec": serviceSpec, "status": ["loadBalancer": loadBalancerStatus, "conditions": .any]]
        case "Namespace":
            top = ["spec": ["finalizers": .list(.string)], "status": ["phase": .string, "conditions": .any]]
        case "Lease": top = ["spec": leaseSpec]
        case "Secret":
            top = ["data": .map(.string), "stringData": .map(.string), "type": .string, "immutable": .boolean]
        default: top = nil
        }
        guard let top else { return nil }
        return .object(top.merging(["apiVersion": .string, "kind": .string, "metadata": objectMeta]) { $1 })
    }

    static let objectMeta: KindSchema = [
        "name": .string, "generateName": .string, "namespace": .string, "selfLink": .string, "uid": .string,
        "resourceVersion": .string, "generation": .integer, "creationTimestamp": .string, "deletionTimestamp": .string,
        "deletionGracePeriodSeconds": .integer, "labels": .map(.string), "annotations": .map(.string),
        "ownerReferences": .list([
            "apiVersion": .string, "kind": .string, "name": .string, "uid": .string, "controller": .boolean,
            "blockOwnerDeletion": .boolean,
        ]),
        "finalizers": .list(.string), "managedFields": .list(.any),
    ]

    static let loadBalancerStatus: KindSchema = [
        "ingress": .list([
            "ip": .string, "hostname": .string, "ipMode": .string,
            "ports": .list(["port": .integer, "protocol": .string, "error": .string]),
        ])
    ]

    static let ingressBackend: KindSchema = [
        "service": ["name": .string, "port": ["name": .string, "number": .integer]],
        "resource": ["apiGroup": .string, "kind": .string, "name": .string],
    ]

    static let ingressSpec: KindSchema = [
        "ingressClassName": .string, "defaultBackend": ingressBackend,
        "tls": .list(["hosts": .list(.string), "secretName": .string]),
        "rules": .list([
            "host": .string,
            "http": ["paths": .list(["path": .string, "pathType": .string, "backend": ingressBackend])],
        ]),
    ]

    static let serviceSpec: KindSchema = [
        "ports": .list([
            "name": .string, "protocol": .string, "appProtocol": .string, "port": .integer, "targetPort": .intOrString,
            "nodePort": .integer,
        ]),
        "selector": .map(.string), "clusterIP": .string, "clusterIPs": .list(.string), "type": .string,
        "externalIPs": .list(.string), "sessionAffinity": .string, "loadBalancerIP": .string,
        "loadBalancerSourceRanges": .list(.string), "externalName": .string, "externalTrafficPolicy": .string,
        "healthCheckNodePort": .integer, "publishNotReadyAddresses": .boolean, "sessionAffinityConfig": .any,
        "ipFamilies": .list(.string), "ipFamilyPolicy": .string, "allocateLoadBalancerNodePorts": .boolean,
        "loadBalancerClass": .string, "internalTrafficPolicy": .string, "trafficDistribution": .string,
    ]

    static let leaseSpec: KindSchema = [
        "holderIdentity": .string, "leaseDurationSeconds": .integer, "acquireTime": .string, "renewTime": .string,
        "leaseTransitions": .integer, "strategy": .string, "preferredHolder": .string,
    ]
}

extension KindSchema: ExpressibleByDictionaryLiteral {
    init(dictionaryLiteral elements: (String, KindSchema)...) {
        self = .object(Dictionary(elements) { $1 })
    }
}

struct KindSchemaError: Error, CustomStringConvertible {
    var path: String
    var expected: String
    var value: JSON

    init(path: String, expected: String, _ value: JSON) {
        self.path = path
        self.expected = expected
        self.value = value
    }

    var description: String {
        "cannot decode \(value.decoderTypeName) into field \(path) of type \(expected)"
    }
}

extension JSON {
    /// The JSON type as a decoder's error names it (no article).
    fileprivate var decoderTypeName: String {
        switch self {
        case .null: "null"
        case .bool: "bool"
        case .integer, .number: "number"
        case .string: "string"
        case .array: "array"
        case .object: "object"
        }
    }
}
