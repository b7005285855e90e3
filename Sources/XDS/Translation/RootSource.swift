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

    /// The roots among `objects` (leaves are skipped), each with its leaves
    /// as `reader` knows them: what the informers' stores give translation.
    public static func roots(
        of objects: [(kind: RootKind, object: JSON)], reader: some PlacementReader
    ) -> [RootSource] {
        objects.filter { !RootKind.isLeaf($0.object) }.map { root in
            RootSource(
                kind: root.kind, object: root.object,
                leaves: reader.leaves(of: ObjectKey(of: root.object), kind: root.kind))
        }
    }
}
