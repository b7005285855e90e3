public import KubeAPI

/// The indexes kcp-ingress looks objects up by, as index functions for an
/// informer's store (an object may be indexed under several values). Every
/// value carries the logical cluster, as `ObjectKey` writes it.
public enum PlacementIndex {
    /// Names a value under which an object is indexed.
    public typealias Function = @Sendable (JSON) -> [String]

    /// "namespace" → `cluster|namespace` of any object.
    public static let namespace: (String, Function) = ("namespace", { [ObjectKey(of: $0).scope] })

    /// "owned-by" → the key of a leaf's root, `cluster|namespace/root`. The
    /// root's full name comes from the leaf's annotation, since the label
    /// holds a hash for names longer than 63 characters; a leaf without the
    /// annotation (written by hand, or by an older version) falls back to
    /// the label.
    public static let ownedBy: (String, Function) = (
        "owned-by",
        { object in
            let meta = ObjectMeta(json: object["metadata"] ?? [:])
            guard let root = meta.annotations[PlacementLabels.ownedByAnnotation] ?? meta.labels[PlacementLabels.ownedBy]
            else { return [] }
            return [ObjectKey(meta).sibling(named: root).description]
        }
    )

    /// "services" → `cluster|namespace/service` for every Service a root's
    /// backends name. Leaves are not indexed: they are copies of roots and
    /// would answer every question twice.
    public static let services: (String, Function) = (
        "services",
        { object in
            guard !RootKind.isLeaf(object), let kind = RootKind(of: object) else { return [] }
            let key = ObjectKey(of: object)
            return kind.backendServiceNames(of: object).map { key.sibling(named: $0).description }
        }
    )

    /// "hosts" → every host a root claims, lower-cased and without a final
    /// dot (hosts are shared by all workspaces: one Envoy serves them all).
    /// Leaves are not indexed.
    public static let hosts: (String, Function) = (
        "hosts",
        { object in
            guard !RootKind.isLeaf(object), let kind = RootKind(of: object) else { return [] }
            return Array(Set(kind.hosts(of: object).map(normalizedHost)))
        }
    )

    /// A host as the hosts index keys it.
    public static func normalizedHost(_ host: String) -> String {
        let lower = host.lowercased()
        return lower.hasSuffix(".") ? String(lower.dropLast()) : lower
    }

    /// The indexes of a root kind's informer.
    public static let forRoots: [String: Function] = Dictionary(
        uniqueKeysWithValues: [namespace, ownedBy, services, hosts])

    /// The indexes of the Service informer.
    public static let forServices: [String: Function] = Dictionary(uniqueKeysWithValues: [namespace])
}
