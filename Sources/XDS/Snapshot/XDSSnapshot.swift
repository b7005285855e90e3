/// Everything Envoy should have, at one moment: built from the roots and
/// their leaves, published to every stream at once.
///
/// Routes come in two shapes. State of the world cannot carry virtual
/// hosts one by one (VHDS is delta-only), so its route configurations hold
/// every virtual host inline and are re-sent whole; delta streams get a
/// route configuration that only asks for VHDS, and each root's virtual
/// host as its own resource, so that one root's change sends one resource.
public struct XDSSnapshot: Sendable {
    /// Increases with every build; delta's `system_version_info`.
    public let sequence: UInt64
    public let clusters: [String: XDSResource]
    public let listeners: [String: XDSResource]
    public let inlineRouteConfigurations: [String: XDSResource]
    public let vhdsRouteConfigurations: [String: XDSResource]
    public private(set) var virtualHosts: [String: XDSResource]
    /// Every cluster a route-side resource names: once Envoy has ACKed
    /// them all, no route need wait for a cluster, and a stream skips
    /// checking 10,000 virtual hosts one by one.
    public private(set) var routeClusters: Set<String>

    public init(
        sequence: UInt64,
        clusters: [XDSResource] = [],
        listeners: [XDSResource] = [],
        inlineRouteConfigurations: [XDSResource] = [],
        vhdsRouteConfigurations: [XDSResource] = [],
        virtualHosts: [XDSResource] = []
    ) {
        func byName(_ resources: [XDSResource]) -> [String: XDSResource] {
            Dictionary(resources.map { ($0.name, $0) }, uniquingKeysWith: { first, _ in first })
        }
        self.sequence = sequence
        self.clusters = byName(clusters)
        self.listeners = byName(listeners)
        self.inlineRouteConfigurations = byName(inlineRouteConfigurations)
        self.vhdsRouteConfigurations = byName(vhdsRouteConfigurations)
        self.virtualHosts = byName(virtualHosts)
        routeClusters = (inlineRouteConfigurations + vhdsRouteConfigurations + virtualHosts).reduce(into: []) {
            $0.formUnion($1.clusters)
        }
    }

    /// With the virtual hosts already keyed by name, as the renderer keeps
    /// them: 10,000 of them are shared, not hashed again.
    public init(
        sequence: UInt64,
        clusters: [XDSResource],
        listeners: [XDSResource],
        inlineRouteConfigurations: [XDSResource],
        vhdsRouteConfigurations: [XDSResource],
        virtualHostsByName: [String: XDSResource]
    ) {
        self.init(
            sequence: sequence, clusters: clusters, listeners: listeners,
            inlineRouteConfigurations: inlineRouteConfigurations, vhdsRouteConfigurations: vhdsRouteConfigurations)
        self.virtualHosts = virtualHostsByName
        // The inline configuration names every cluster its virtual hosts do.
        routeClusters = (inlineRouteConfigurations + vhdsRouteConfigurations).reduce(into: []) {
            $0.formUnion($1.clusters)
        }
    }

    public static let empty = XDSSnapshot(sequence: 0)

    /// The resources of `type` that a stream of the given kind is served.
    public func resources(_ type: ResourceType, delta: Bool) -> [String: XDSResource] {
        switch type {
        case .cluster: clusters
        case .listener: listeners
        case .routeConfiguration: delta ? vhdsRouteConfigurations : inlineRouteConfigurations
        case .virtualHost: delta ? virtualHosts : [:]
        }
    }
}
