import Placement

/// The gateway clusters met so far, one per distinct address set: the
/// 20,000 leaves of 10,000 roots on three physical clusters intern to three.
struct GatewayClusterRegistry {
    private var names: [[GatewayAddress]: String] = [:]
    private(set) var clusters: [String: GatewayCluster] = [:]

    /// The name of the cluster of `addresses` (in any order, repeats
    /// allowed), made on first use; nil for no address.
    mutating func clusterName(for addresses: [GatewayAddress]) -> String? {
        let key = Array(Set(addresses)).sorted()
        if let name = names[key] { return name }
        guard let cluster = GatewayCluster(endpoints: key) else { return nil }
        names[key] = cluster.name
        clusters[cluster.name] = cluster
        return cluster.name
    }
}
