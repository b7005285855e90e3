/// The Envoy resource types the server hands out, in the order a change
/// must reach Envoy: clusters before the listener and routes that name
/// them, so that no route ever points at a cluster Envoy does not have.
public enum ResourceType: Int, CaseIterable, Comparable, Sendable {
    case cluster
    case listener
    case routeConfiguration
    case virtualHost

    /// Envoy's type URL, exactly as it sends it in requests.
    public var typeURL: String {
        switch self {
        case .cluster: "type.googleapis.com/envoy.config.cluster.v3.Cluster"
        case .listener: "type.googleapis.com/envoy.config.listener.v3.Listener"
        case .routeConfiguration: "type.googleapis.com/envoy.config.route.v3.RouteConfiguration"
        case .virtualHost: "type.googleapis.com/envoy.config.route.v3.VirtualHost"
        }
    }

    public init?(typeURL: String) {
        guard let type = Self.allCases.first(where: { $0.typeURL == typeURL }) else { return nil }
        self = type
    }

    /// Short name for logs and metric labels.
    public var shortName: String {
        switch self {
        case .cluster: "cds"
        case .listener: "lds"
        case .routeConfiguration: "rds"
        case .virtualHost: "vhds"
        }
    }

    /// Types Envoy always subscribes to as a whole: a request without names
    /// means every resource. Route configurations are asked for by name.
    var isWildcardByDefault: Bool { self != .routeConfiguration }

    public static func < (lhs: ResourceType, rhs: ResourceType) -> Bool { lhs.rawValue < rhs.rawValue }
}
