public import KubeAPI
public import Placement

/// One root as the translation reads it: the object, its kind and its
/// leaves as stored (with the statuses their clusters' syncers wrote).
public struct RootSource: Sendable {
    public var kind: RootKind
    public var object: JSON
    public var leaves: [JSON]

    public init(kind: RootKind, object: JSON, leaves: [JSON]) {
        self.kind = kind
        self.object = object
        self.leaves = leaves
    }

    public var identity: RootIdentity { RootIdentity(kind: kind, key: ObjectKey(of: object)) }
}
