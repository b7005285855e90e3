public import KubeAPI
public import Placement

/// One root as the translation reads it: the object, its kind and its
/// leaves as stored (with the statuses their clusters' syncers wrote).
public struct RootSource: Sendable {
    public var kind: RootKind {
        didSet { packed = nil }
    }
    public var object: JSON {
        didSet { packed = nil }
    }
    public var leaves: [JSON] {
        didSet { packed = nil }
    }
    /// The same objects packed, when they came so from a store: a
    /// translation cache keeps these instead of packing them again.
    fileprivate(set) var packed: PackedRootSource?

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

/// A root's objects packed, as an informer's store keeps them and a
/// translation cache keeps them between builds: a host changing hands or a
/// Service changing translates a root again from these, where 10,000
/// roots' trees would cost four times as much.
public struct PackedRootSource: Sendable {
    public let kind: RootKind
    public let object: PackedJSON
    public let leaves: [PackedJSON]

    public init(kind: RootKind, object: PackedJSON, leaves: [PackedJSON]) {
        self.kind = kind
        self.object = object
        self.leaves = leaves
    }

    init(_ source: RootSource) {
        kind = source.kind
        object = PackedJSON(source.object)
        leaves = source.leaves.map(PackedJSON.init)
    }

    /// The trees, still holding these bytes for a translation cache to keep.
    /// `object`: the root already unpacked, not to unpack it twice.
    public func unpacked(object unpackedObject: JSON? = nil) -> RootSource {
        var source = RootSource(
            kind: kind, object: unpackedObject ?? object.unpacked(), leaves: leaves.map { $0.unpacked() })
        source.packed = self
        return source
    }
}
