/// The result of translating roots: the route table, and the hosts that
/// roots claimed but lost to older ones (for the log and for
/// `kcp_ingress_xds_host_conflicts`).
public struct Translation: Hashable, Sendable {
    public var table: RouteTable
    /// In the order the losers were considered: oldest loser first.
    public var conflicts: [HostConflict]
    /// With incremental translation: the roots translated again or gone;
    /// every other virtual host is the very value of the previous translation.
    /// Nil: unknown, every virtual host may have changed.
    public var retranslated: Set<RootIdentity>?

    public init(table: RouteTable, conflicts: [HostConflict], retranslated: Set<RootIdentity>? = nil) {
        self.table = table
        self.conflicts = conflicts
        self.retranslated = retranslated
    }
}
