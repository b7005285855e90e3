public import KubeAPI
public import Placement

/// A root the loop reconciles: its kind and where it lives.
public struct RootReference: Hashable, Sendable, CustomStringConvertible {
    public var kind: RootKind
    public var key: ObjectKey

    public init(kind: RootKind, key: ObjectKey) {
        self.kind = kind
        self.key = key
    }

    /// The root an object stands for: itself when it is a root, its owner
    /// when it is a leaf (nil for a leaf that names no owner).
    public init?(of object: JSON, kind: RootKind) {
        if RootKind.isLeaf(object) {
            guard let owner = PlacementIndex.ownedBy.1(object).first else { return nil }
            let leaf = ObjectKey(of: object)
            let name = owner.split(separator: "/", maxSplits: 1).last.map(String.init) ?? owner
            self.init(kind: kind, key: leaf.sibling(named: name))
        } else {
            self.init(kind: kind, key: ObjectKey(of: object))
        }
    }

    public var description: String { "\(kind.type.kind.lowercased()) \(key)" }
}
