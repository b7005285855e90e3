/// What differs between two route tables, resource by resource, so that
/// delta xDS sends only the virtual hosts and clusters that changed.
public struct RouteTableChanges: Hashable, Sendable {
    /// New or different, in name order.
    public var updatedVirtualHosts: [EnvoyVirtualHost]
    /// Names present before and gone now, sorted.
    public var removedVirtualHosts: [String]
    public var updatedClusters: [GatewayCluster]
    public var removedClusters: [String]
    public var listenerChanged: Bool

    public init(from old: RouteTable, to new: RouteTable) {
        let oldHosts = old.virtualHostsByName
        let newHosts = new.virtualHostsByName
        updatedVirtualHosts = new.virtualHosts.filter { oldHosts[$0.name] != $0 }
        removedVirtualHosts = old.virtualHosts.map(\.name).filter { newHosts[$0] == nil }
        let oldClusters = old.clustersByName
        let newClusters = new.clustersByName
        updatedClusters = new.clusters.filter { oldClusters[$0.name] != $0 }
        removedClusters = old.clusters.map(\.name).filter { newClusters[$0] == nil }
        listenerChanged = old.listener != new.listener
    }

    public var isEmpty: Bool {
        updatedVirtualHosts.isEmpty && removedVirtualHosts.isEmpty && updatedClusters.isEmpty
            && removedClusters.isEmpty && !listenerChanged
    }
}
