extension XDSStreamState {
    /// The virtual hosts Envoy has ACKed on this stream, name → version,
    /// whether they came one by one (delta) or inside a route
    /// configuration (state of the world).
    public var acceptedVirtualHosts: [String: String] {
        if delta { return types[.virtualHost]!.heldVersions }
        var all: [String: String] = [:]
        for held in types[.routeConfiguration]!.held.values {
            all.merge(held.resource?.virtualHosts ?? [:]) { first, _ in first }
        }
        return all
    }

    /// Whether Envoy subscribed to routes on this stream at all (a stream
    /// that only asks for clusters holds no routes to wait for).
    public var routesSubscribed: Bool {
        types[.routeConfiguration]!.subscribed || types[.virtualHost]!.subscribed
    }

    /// Per type, the version of the response Envoy last ACKed.
    public var acceptedVersionInfo: [ResourceType: String] {
        types.compactMapValues(\.ackedVersionInfo)
    }

    /// The last error Envoy gave for each type it is rejecting now.
    public var rejections: [ResourceType: String] {
        types.compactMapValues(\.lastError)
    }

    /// Virtual hosts that Envoy's current rejections concern.
    public var rejectedVirtualHosts: Set<String> {
        types[.virtualHost]!.rejectedVirtualHosts.union(types[.routeConfiguration]!.rejectedVirtualHosts)
    }

    /// Versions Envoy holds per type, for the operator's page.
    public func acceptedVersions(_ type: ResourceType) -> [String: String] {
        types[type]!.heldVersions
    }
}
