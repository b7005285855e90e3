/// `networking.k8s.io/v1` Ingress.
public struct Ingress: KubernetesObject {
    public static let type = ResourceType(
        group: "networking.k8s.io", version: "v1", kind: "Ingress", resource: "ingresses")
    public var json: JSON
    public init(json: JSON) { self.json = json }

    public var ingressClassName: String? { json.string("spec", "ingressClassName") }
    public var defaultBackend: IngressBackend? { json.field("spec", "defaultBackend").map(IngressBackend.init(json:)) }
    public var rules: [IngressRule] { json.array("spec", "rules").map(IngressRule.init(json:)) }
    public var hosts: [String] { rules.compactMap(\.host) }

    /// Every Service named by the default backend and the rules' paths.
    public var backendServiceNames: [String] {
        var names: [String] = []
        if let name = defaultBackend?.serviceName { names.append(name) }
        for rule in rules {
            for path in rule.paths {
                if let name = path.backend?.serviceName { names.append(name) }
            }
        }
        return names
    }

    /// `status.loadBalancer.ingress`.
    public var loadBalancerIngress: [LoadBalancerIngress] {
        get { json.array("status", "loadBalancer", "ingress").map(LoadBalancerIngress.init(json:)) }
        set {
            json.setField(
                "status", "loadBalancer", "ingress", to: newValue.isEmpty ? nil : .array(newValue.map(\.json)))
        }
    }
}

public struct IngressRule: JSONView {
    public var json: JSON
    public init(json: JSON) { self.json = json }

    public var host: String? { json.string("host") }
    public var paths: [HTTPIngressPath] { json.array("http", "paths").map(HTTPIngressPath.init(json:)) }
}

public struct HTTPIngressPath: JSONView {
    public var json: JSON
    public init(json: JSON) { self.json = json }

    public var path: String? { json.string("path") }
    public var pathType: PathType? { json.string("pathType").map(PathType.init(rawValue:)) }
    public var backend: IngressBackend? { json.field("backend").map(IngressBackend.init(json:)) }
}

/// `Exact`, `Prefix`, `ImplementationSpecific`, or a newer value kept as is.
public enum PathType: OpenEnum {
    case exact, prefix, implementationSpecific
    case other(String)

    public init(rawValue: String) {
        switch rawValue {
        case "Exact": self = .exact
        case "Prefix": self = .prefix
        case "ImplementationSpecific": self = .implementationSpecific
        default: self = .other(rawValue)
        }
    }

    public var rawValue: String {
        switch self {
        case .exact: "Exact"
        case .prefix: "Prefix"
        case .implementationSpecific: "ImplementationSpecific"
        case .other(let value): value
        }
    }
}

public struct IngressBackend: JSONView {
    public var json: JSON
    public init(json: JSON) { self.json = json }

    public var serviceName: String? { json.string("service", "name") }
    public var servicePortNumber: Int64? { json.integer("service", "port", "number") }
    public var servicePortName: String? { json.string("service", "port", "name") }
}

/// One entry of a load balancer's status: an address and its ports.
public struct LoadBalancerIngress: JSONView {
    public var json: JSON
    public init(json: JSON) { self.json = json }

    public init(ip: String? = nil, hostname: String? = nil) {
        json = .object(JSONObject())
        if let ip { json.setField("ip", to: .string(ip)) }
        if let hostname { json.setField("hostname", to: .string(hostname)) }
    }

    public var ip: String? { json.string("ip") }
    public var hostname: String? { json.string("hostname") }
    public var ports: [JSON] { json.array("ports") }
}
