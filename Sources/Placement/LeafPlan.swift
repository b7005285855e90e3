public import KubeAPI

/// The writes that turn a root's existing leaves into the desired ones.
public struct LeafPlan: Hashable, Sendable {
    /// Leaves that do not exist yet.
    public var creates: [Leaf] = []
    /// Leaves that exist but say something else: the desired leaf, and the
    /// stored object it replaces.
    public var updates: [Update] = []
    /// Leaves that should no longer exist, as stored.
    public var deletes: [JSON] = []
    /// Leaves nothing desires that stay for now, as stored: see `init`.
    public var handingOver: [JSON] = []

    public struct Update: Hashable, Sendable {
        public var leaf: Leaf
        public var existing: JSON
    }

    public var isEmpty: Bool { creates.isEmpty && updates.isEmpty && deletes.isEmpty }

    /// Compares by name: a desired leaf with no stored namesake is created,
    /// one whose namesake does not satisfy it is updated, and a stored leaf
    /// that nothing desires is deleted.
    ///
    /// Make before break: a stored leaf that nothing desires stays while its
    /// cluster routes the root (its syncer reports a gateway address) and a
    /// desired leaf does not yet (it is not written, or its cluster has
    /// reported no gateway). A Service relabelled onto another cluster then
    /// keeps its traffic on the cluster it leaves until the new one serves,
    /// and the leaf there goes on the next pass after that.
    public init(desired: [Leaf], existing: [JSON], kind: RootKind) {
        var stored: [String: JSON] = [:]
        for object in existing {
            if let name = object["metadata"]?["name"]?.stringValue { stored[name] = object }
        }
        let rootHosts = Set(desired.first.map { kind.hosts(of: $0.object) }?.compactMap(HostNames.normalized) ?? [])
        func routes(_ leaf: JSON?) -> Bool {
            guard let leaf else { return false }
            return !LeafAddresses.addresses(of: leaf, kind: kind, rootHosts: rootHosts).isEmpty
        }
        let waiting = desired.contains { !routes(stored[$0.name]) }
        for leaf in desired {
            if let current = stored.removeValue(forKey: leaf.name) {
                if !leaf.isSatisfied(by: current) { updates.append(Update(leaf: leaf, existing: current)) }
            } else {
                creates.append(leaf)
            }
        }
        for name in stored.keys.sorted() {
            let leaf = stored[name]!
            if waiting && routes(leaf) { handingOver.append(leaf) } else { deletes.append(leaf) }
        }
    }
}
