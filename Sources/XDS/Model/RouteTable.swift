import KubeAPI

/// Everything Envoy needs, as plain values: the listener, one virtual host
/// per root (each also a resource of its own), and the gateway clusters
/// they forward to. Rendered to Envoy's protos elsewhere; compared by value
/// so a snapshot can send only what changed.
public struct RouteTable: Hashable, Sendable {
    public var listener: EnvoyListener
    /// Sorted by name; no domain appears twice across them.
    public var virtualHosts: [EnvoyVirtualHost]
    /// Sorted by name; exactly those some virtual host forwards to.
    public var clusters: [GatewayCluster]

    public init(listener: EnvoyListener, virtualHosts: [EnvoyVirtualHost], clusters: [GatewayCluster]) {
        self.listener = listener
        self.virtualHosts = virtualHosts
        self.clusters = clusters
    }

    public var routeConfigurationName: String { listener.routeConfigurationName }

    // Names are unique in a translated table; a hand-made table with a
    // repeated name keeps the first rather than trapping.
    public var virtualHostsByName: [String: EnvoyVirtualHost] {
        Dictionary(virtualHosts.map { ($0.name, $0) }, uniquingKeysWith: { first, _ in first })
    }

    public var clustersByName: [String: GatewayCluster] {
        Dictionary(clusters.map { ($0.name, $0) }, uniquingKeysWith: { first, _ in first })
    }

    /// A root's part of a virtual host name: `<kind>.<namespace>.<name>`,
    /// then `@<logical cluster>` when it has one, as in
    /// `ingress.shop.front@root:org:team`. Readable, and unambiguous:
    /// kinds and namespaces hold no `.`, names no `@`. A `/` would move the
    /// boundary Envoy reads between route configuration and resource, so
    /// a logical cluster's `/` (kcp never writes one) is escaped with `%`.
    public static func rootKey(_ root: RootIdentity) -> String {
        let local = "\(root.kindName).\(root.key.namespace).\(root.key.name)"
        let cluster = root.key.logicalCluster
        guard !cluster.isEmpty else { return local }
        let escaped = cluster.replacing("%", with: "%25").replacing("/", with: "%2F")
        return "\(local)@\(escaped)"
    }

    /// The name of `root`'s virtual host in the route configuration `routeConfigurationName`.
    public static func virtualHostName(routeConfigurationName: String, root: RootIdentity) -> String {
        "\(routeConfigurationName)/\(rootKey(root))"
    }
}
