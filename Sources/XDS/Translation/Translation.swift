/// The result of translating roots: the route table, and the hosts that
/// roots claimed but lost to older ones (for the log and for
/// `kcp_ingress_xds_host_conflicts`).
public struct Translation: Hashable, Sendable {
    public var table: RouteTable
    /// In the order the losers were considered: oldest loser first.
    public var conflicts: [HostConflict]

    public init(table: RouteTable, conflicts: [HostConflict]) {
        self.table = table
        self.conflicts = conflicts
    }
}
