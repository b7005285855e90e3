/// The labels and annotations through which kcp-ingress records placement.
public enum PlacementLabels {
    /// On a Service: the physical cluster that runs it. On a leaf: the
    /// cluster it is for (a syncer copies it there). Roots never carry it,
    /// which is how a root is told from a leaf of the same kind.
    public static let cluster = "kcp.dev/cluster"
    /// On a leaf: its root's name as a label value (hashed past 63
    /// characters), so leaves can be listed with a label selector.
    public static let ownedBy = "kcp.dev/owned-by"
    /// On a leaf: its root's full name, which the label may not hold.
    public static let ownedByAnnotation = "kcp.dev/owned-by"
    /// On a leaf: its root's uid, where the root had one when the leaf was written.
    public static let ownerUIDAnnotation = "kcp.dev/owner-uid"
    /// On a leaf: its cluster's gateway addresses (`host:port,...`), written
    /// by the cluster's syncer where the leaf's status cannot say them (an
    /// HTTPRoute's status has no address; a Route's router name no port).
    /// The syncer's, like the status: kcp-ingress neither copies nor
    /// compares nor overwrites it.
    public static let gatewayAddressesAnnotation = "kcp.dev/gateway-addresses"
    /// On a root: the clusters it is placed on, sorted and comma-separated.
    public static let clustersAnnotation = "kcp.dev/clusters"

}
