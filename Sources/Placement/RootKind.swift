public import KubeAPI

/// The three kinds of root object kcp-ingress places, with what placement
/// reads from each (../shared/DESIGN.md, "Per-kind facts").
public enum RootKind: CaseIterable, Hashable, Sendable {
    case ingress, httpRoute, route

    public var type: ResourceType {
        switch self {
        case .ingress: Ingress.type
        case .httpRoute: HTTPRoute.type
        case .route: Route.type
        }
    }

    /// The kind of `group` and `kind` (any version), if it is one we place.
    public init?(group: String, kind: String) {
        guard let match = Self.allCases.first(where: { $0.type.group == group && $0.type.kind == kind }) else {
            return nil
        }
        self = match
    }

    /// The kind of an object, from its `apiVersion` and `kind`.
    public init?(of object: JSON) {
        guard let apiVersion = object["apiVersion"]?.stringValue, let kind = object["kind"]?.stringValue else {
            return nil
        }
        let group = apiVersion.split(separator: "/").count == 2 ? String(apiVersion.prefix { $0 != "/" }) : ""
        self.init(group: group, kind: kind)
    }

    /// The names of the Services `object` routes to, sorted, without
    /// duplicates; for an HTTPRoute only those in its own namespace.
    public func backendServiceNames(of object: JSON) -> [String] {
        let names: [String]
        switch self {
        case .ingress: names = Ingress(json: object).backendServiceNames
        case .httpRoute: names = HTTPRoute(json: object).backendServiceNames
        case .route: names = Route(json: object).backendServiceNames
        }
        return Array(Set(names)).sorted()
    }

    /// The hosts `object` claims, as written.
    public func hosts(of object: JSON) -> [String] {
        switch self {
        case .ingress: Ingress(json: object).hosts
        case .httpRoute: HTTPRoute(json: object).hostnames
        case .route: Route(json: object).host.map { $0.isEmpty ? [] : [$0] } ?? []
        }
    }

    /// Whether `object` is a leaf (it carries `kcp.dev/cluster`) rather than a root.
    public static func isLeaf(_ object: JSON) -> Bool {
        object["metadata"]?["labels"]?[PlacementLabels.cluster] != nil
    }
}
