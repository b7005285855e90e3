/// `route.openshift.io/v1` Route.
public struct Route: KubernetesObject {
    public static let type = ResourceType(group: "route.openshift.io", version: "v1", kind: "Route", resource: "routes")
    public var json: JSON
    public init(json: JSON) { self.json = json }

    public var host: String? { json.string("spec", "host") }
    public var path: String? { json.string("spec", "path") }
    public var to: RouteTargetReference? { json.field("spec", "to").map(RouteTargetReference.init(json:)) }
    public var alternateBackends: [RouteTargetReference] {
        json.array("spec", "alternateBackends").map(RouteTargetReference.init(json:))
    }

    /// `spec.to` and `spec.alternateBackends` that name Services.
    public var backendServiceNames: [String] {
        ([to].compactMap { $0 } + alternateBackends).filter { $0.kind == "Service" }.compactMap(\.name)
    }

    /// `status.ingress`: one entry per router that admitted the route.
    public var ingress: [RouteIngress] {
        get { json.array("status", "ingress").map(RouteIngress.init(json:)) }
        set { json.setField("status", "ingress", to: .array(newValue.map(\.json))) }
    }
}

public struct RouteTargetReference: JSONView {
    public var json: JSON
    public init(json: JSON) { self.json = json }

    public var kind: String { json.string("kind") ?? "Service" }
    public var name: String? { json.string("name") }
    public var weight: Int64? { json.integer("weight") }
}

public struct RouteIngress: JSONView {
    public var json: JSON
    public init(json: JSON) { self.json = json }

    public var host: String? { json.string("host") }
    public var routerName: String? { json.string("routerName") }
    public var routerCanonicalHostname: String? { json.string("routerCanonicalHostname") }
    public var conditions: [Condition] { json.array("conditions").map(Condition.init(json:)) }
}
