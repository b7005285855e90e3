public import KubeAPI

/// What placement decided for one root: the clusters that serve it, the
/// leaves it should have, the patch that records the placement on it, and
/// what a user should be told about backends that could not be placed.
///
/// The one place placement is decided: the webhook and the status loop
/// both call `Placement.decide`, so they can never disagree.
public struct Placement: Hashable, Sendable {
    public var root: ObjectKey
    public var kind: RootKind
    /// Sorted, without duplicates.
    public var clusters: [String]
    /// One per cluster, in the order of `clusters`.
    public var leaves: [Leaf]
    /// Sets `kcp.dev/clusters` on the root; empty when it already says so.
    public var rootPatch: JSONPatch
    /// Backends that place nowhere, and why; each within the 120
    /// characters kube-apiserver keeps of a warning.
    public var warnings: [String]

    /// Places `root` of `kind`: every backend Service it names is looked up
    /// (in the root's own logical cluster and namespace) with `service`, and
    /// the `kcp.dev/cluster` labels of those found give its clusters.
    public static func decide(root: JSON, kind: RootKind, service: (ObjectKey) -> JSON?) -> Placement {
        let key = ObjectKey(of: root)
        var clusters = Set<String>()
        var missing: [String] = []
        var unlabelled: [String] = []
        for name in kind.backendServiceNames(of: root) {
            guard let found = service(key.sibling(named: name)) else {
                missing.append(name)
                continue
            }
            guard let cluster = found["metadata"]?["labels"]?[PlacementLabels.cluster]?.stringValue, !cluster.isEmpty
            else {
                unlabelled.append(name)
                continue
            }
            clusters.insert(cluster)
        }
        let sorted = clusters.sorted()
        return Placement(
            root: key, kind: kind, clusters: sorted,
            leaves: sorted.map { Leaf(of: root, cluster: $0) },
            rootPatch: RootPatch.patch(for: root, clusters: sorted),
            warnings: warnings(kind: kind, root: key, placed: !sorted.isEmpty, missing: missing, unlabelled: unlabelled)
        )
    }

    private static func warnings(
        kind: RootKind, root: ObjectKey, placed: Bool, missing: [String], unlabelled: [String]
    ) -> [String] {
        var warnings: [String] = []
        if !placed {
            let what = "\(kind.type.kind.lowercased()) \(root.name)"
            warnings.append(
                missing.isEmpty && unlabelled.isEmpty
                    ? "\(what) gets no leaves: it names no backend Service"
                    : "\(what) gets no leaves: no backend Service carries the \(PlacementLabels.cluster) label")
        }
        warnings += missing.map { "Service \($0) not found: its traffic is placed on no cluster" }
        warnings += unlabelled.map { "Service \($0) has no \(PlacementLabels.cluster) label: placed on no cluster" }
        return warnings.map(Self.shortened)
    }

    /// kube-apiserver keeps 120 characters of each admission warning.
    public static func shortened(_ warning: String) -> String {
        warning.count <= 120 ? warning : String(warning.prefix(117)) + "..."
    }
}
