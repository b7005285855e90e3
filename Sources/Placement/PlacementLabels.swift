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
    /// On a root: the clusters it is placed on, sorted and comma-separated.
    public static let clustersAnnotation = "kcp.dev/clusters"
    /// On a leaf: its cluster's gateway addresses (`host:port,...`), for a
    /// kind whose status cannot carry them (HTTPRoute). Whoever knows the
    /// cluster's gateway writes it on the leaf itself, so a leaf rewritten
    /// from its root keeps the one it has, as it keeps its status.
    public static let gatewayAddressesAnnotation = "kcp.dev/gateway-addresses"
}
