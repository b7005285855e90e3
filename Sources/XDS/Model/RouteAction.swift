/// What Envoy does with a request a route took.
public enum RouteAction: Hashable, Sendable {
    /// Forward to these gateway clusters in proportion to their weights.
    /// Never empty; sorted by cluster name; every weight above zero.
    case weightedClusters([WeightedCluster])
    /// Answer without forwarding: used when no physical cluster can take
    /// the route's traffic yet, so the client sees why instead of a 404.
    case directResponse(status: Int, body: String)

    /// The answer for a route whose backends no reachable cluster serves.
    public static let noClusterYet = RouteAction.directResponse(
        status: 503, body: "no cluster serves this route yet\n")

    /// The gateway clusters this action forwards to.
    public var clusterNames: [String] {
        guard case .weightedClusters(let clusters) = self else { return [] }
        return clusters.map(\.cluster)
    }
}

/// One gateway cluster's share of a route's traffic.
public struct WeightedCluster: Hashable, Sendable {
    /// A `GatewayCluster` name.
    public var cluster: String
    public var weight: UInt32

    public init(cluster: String, weight: UInt32) {
        self.cluster = cluster
        self.weight = weight
    }
}
