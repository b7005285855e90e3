/// Where an object lives: its kcp logical cluster (empty on plain
/// Kubernetes), namespace (empty for cluster-scoped objects) and name.
///
/// Every store, index and queue in the process keys objects by all three,
/// so that a Service in one workspace never serves a root in another and
/// the same root name in two workspaces never collides.
public struct ObjectKey: Hashable, Sendable, Comparable, CustomStringConvertible {
    public var logicalCluster: String
    public var namespace: String
    public var name: String

    public init(logicalCluster: String = "", namespace: String, name: String) {
        self.logicalCluster = logicalCluster
        self.namespace = namespace
        self.name = name
    }

    public init(_ metadata: ObjectMeta) {
        self.init(
            logicalCluster: metadata.logicalCluster, namespace: metadata.namespace ?? "", name: metadata.name ?? "")
    }

    /// The key of `object`, read from its metadata.
    public init(of object: JSON) {
        self.init(ObjectMeta(json: object["metadata"] ?? [:]))
    }

    /// Another object in the same logical cluster and namespace.
    public func sibling(named name: String) -> ObjectKey {
        ObjectKey(logicalCluster: logicalCluster, namespace: namespace, name: name)
    }

    /// `cluster|namespace/name` as kcp's cluster-aware key function writes
    /// it; `namespace/name` (or `name`) without a logical cluster, which is
    /// client-go's key on plain Kubernetes.
    public var description: String {
        let local = namespace.isEmpty ? name : "\(namespace)/\(name)"
        return logicalCluster.isEmpty ? local : "\(logicalCluster)|\(local)"
    }

    /// `cluster|namespace`: the scope that a root and the Services it may
    /// use share.
    public var scope: String {
        logicalCluster.isEmpty ? namespace : "\(logicalCluster)|\(namespace)"
    }

    public static func < (lhs: ObjectKey, rhs: ObjectKey) -> Bool {
        (lhs.logicalCluster, lhs.namespace, lhs.name) < (rhs.logicalCluster, rhs.namespace, rhs.name)
    }
}
