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

    public struct Update: Hashable, Sendable {
        public var leaf: Leaf
        public var existing: JSON
    }

    public var isEmpty: Bool { creates.isEmpty && updates.isEmpty && deletes.isEmpty }

    /// Compares by name: a desired leaf with no stored namesake is created,
    /// one whose namesake does not satisfy it is updated, and a stored leaf
    /// that nothing desires is deleted.
    public init(desired: [Leaf], existing: [JSON]) {
        var stored: [String: JSON] = [:]
        for object in existing {
            if let name = object["metadata"]?["name"]?.stringValue { stored[name] = object }
        }
        for leaf in desired {
            if let current = stored.removeValue(forKey: leaf.name) {
                if !leaf.isSatisfied(by: current) { updates.append(Update(leaf: leaf, existing: current)) }
            } else {
                creates.append(leaf)
            }
        }
        deletes = stored.keys.sorted().compactMap { stored[$0] }
    }
}
