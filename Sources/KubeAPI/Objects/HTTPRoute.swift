/// `gateway.networking.k8s.io/v1` HTTPRoute.
public struct HTTPRoute: KubernetesObject {
    public static let type = ResourceType(
        group: "gateway.networking.k8s.io", version: "v1", kind: "HTTPRoute", resource: "httproutes")
    public var json: JSON
    public init(json: JSON) { self.json = json }

    public var hostnames: [String] { json.array("spec", "hostnames").compactMap(\.stringValue) }
    public var parentRefs: [JSON] { json.array("spec", "parentRefs") }
    public var rules: [HTTPRouteRule] { json.array("spec", "rules").map(HTTPRouteRule.init(json:)) }

    /// Services in the route's own namespace named by `backendRefs` (kind
    /// Service, the default, in the core group; the namespace left out or
    /// naming the route's own).
    public var backendServiceNames: [String] {
        let namespace = metadata.namespace
        return rules.flatMap(\.backendRefs).filter { $0.isService(in: namespace) }.compactMap(\.name)
    }

    /// `status.parents`.
    public var parentStatuses: [RouteParentStatus] {
        get { json.array("status", "parents").map(RouteParentStatus.init(json:)) }
        set { json.setField("status", "parents", to: .array(newValue.map(\.json))) }
    }
}

public struct HTTPRouteRule: JSONView {
    public var json: JSON
    public init(json: JSON) { self.json = json }

    public var matches: [HTTPRouteMatch] { json.array("matches").map(HTTPRouteMatch.init(json:)) }
    public var backendRefs: [BackendRef] { json.array("backendRefs").map(BackendRef.init(json:)) }
}

public struct HTTPRouteMatch: JSONView {
    public var json: JSON
    public init(json: JSON) { self.json = json }

    /// `PathPrefix` (the default), `Exact` or `RegularExpression`.
    public var pathType: String { json.string("path", "type") ?? "PathPrefix" }
    public var pathValue: String { json.string("path", "value") ?? "/" }
    public var headers: [JSON] { json.array("headers") }
    public var queryParams: [JSON] { json.array("queryParams") }
    public var method: String? { json.string("method") }
}

public struct BackendRef: JSONView {
    public var json: JSON
    public init(json: JSON) { self.json = json }

    public var group: String { json.string("group") ?? "" }
    public var kind: String { json.string("kind") ?? "Service" }
    public var name: String? { json.string("name") }
    public var namespace: String? { json.string("namespace") }
    public var port: Int64? { json.integer("port") }
    /// Defaults to 1, as the Gateway API says.
    public var weight: Int64 { json.integer("weight") ?? 1 }

    /// A core Service in `routeNamespace`: the reference names no namespace
    /// or names the route's own.
    public func isService(in routeNamespace: String?) -> Bool {
        group.isEmpty && kind == "Service" && (namespace == nil || namespace == routeNamespace)
    }
}

/// One entry of `status.parents`: a parent, the controller and its conditions.
public struct RouteParentStatus: JSONView {
    public var json: JSON
    public init(json: JSON) { self.json = json }

    public var parentRef: JSON? { json.field("parentRef") }
    public var controllerName: String? { json.string("controllerName") }
    public var conditions: [Condition] {
        get { json.array("conditions").map(Condition.init(json:)) }
        set { json.setField("conditions", to: .array(newValue.map(\.json))) }
    }
}
