import KubeAPI
import Placement

/// Where one root's traffic can go: each backend Service → the physical
/// cluster its `kcp.dev/cluster` label names → the gateway cluster of the
/// addresses the root's leaf on that cluster reports.
///
/// Make before break: a Service whose cluster does not route the root yet
/// (no leaf there, or a leaf without an address) goes to the clusters the
/// root is handing over from: those with a leaf that reports an address but
/// that no backend's label names any more, which the status loop keeps
/// until the new cluster reports (`LeafPlan`). With neither, it leads nowhere.
struct BackendResolver {
    /// Service name (in the root's logical cluster and namespace) → gateway cluster names.
    var gatewayClustersOfService: [String: [String]]

    init(gatewayClustersOfService: [String: [String]]) {
        self.gatewayClustersOfService = gatewayClustersOfService
    }

    init(
        root source: RootSource, rootHosts: Set<String>, service: (ObjectKey) -> JSON?,
        registry: inout GatewayClusterRegistry
    ) {
        var addressesOfCluster: [String: [GatewayAddress]] = [:]
        for leaf in source.leaves {
            guard let cluster = leaf["metadata"]?["labels"]?[PlacementLabels.cluster]?.stringValue else { continue }
            addressesOfCluster[cluster, default: []] += LeafAddresses.addresses(
                of: leaf, kind: source.kind, rootHosts: rootHosts)
        }
        var gatewayOfCluster: [String: String] = [:]
        // A cluster that reports no address gets no gateway cluster (the registry makes none).
        for (cluster, addresses) in addressesOfCluster {
            gatewayOfCluster[cluster] = registry.clusterName(for: addresses)
        }
        let key = ObjectKey(of: source.object)
        var clusterOfService: [String: String] = [:]
        for name in source.kind.backendServiceNames(of: source.object) {
            guard let found = service(key.sibling(named: name)),
                let cluster = found["metadata"]?["labels"]?[PlacementLabels.cluster]?.stringValue
            else { continue }
            clusterOfService[name] = cluster
        }
        let placed = Set(clusterOfService.values)
        let handingOver = gatewayOfCluster.filter { !placed.contains($0.key) }.keys.sorted().map {
            gatewayOfCluster[$0]!
        }
        gatewayClustersOfService = clusterOfService.compactMapValues { cluster in
            if let gateway = gatewayOfCluster[cluster] { return [gateway] }
            return handingOver.isEmpty ? nil : handingOver
        }
    }

    /// Each backend's weight given to its Service's gateway cluster and
    /// summed per cluster; backends that lead nowhere or weigh nothing
    /// dropped. With nothing left, the request is answered with a 503
    /// that says why, instead of Envoy's 404 for no route.
    func action(for backends: [(service: String?, weight: Int64)]) -> RouteAction {
        var weights: [String: UInt64] = [:]
        for backend in backends where backend.weight > 0 {
            guard let service = backend.service, let clusters = gatewayClustersOfService[service] else { continue }
            // Shared evenly while handing over from several clusters at once.
            let weight = UInt64(min(backend.weight, Int64(UInt32.max)))
            for cluster in clusters { weights[cluster, default: 0] += max(1, weight / UInt64(clusters.count)) }
        }
        guard !weights.isEmpty else { return .noClusterYet }
        // Envoy refuses weights summing past UInt32.max; valid objects never
        // come near it (HTTPRoute weights stop at 1,000,000, 16 per rule).
        let total = weights.values.reduce(0, +)
        let divisor = total > UInt64(UInt32.max) ? total / UInt64(UInt32.max) + 1 : 1
        return .weightedClusters(
            weights.keys.sorted().map { cluster in
                WeightedCluster(cluster: cluster, weight: UInt32(max(1, weights[cluster]! / divisor)))
            })
    }
}
