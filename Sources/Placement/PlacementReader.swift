public import KubeAPI

/// What placement reads of the world: Services, the leaves of a root and the
/// roots claiming a host. In the process these come from informers' stores
/// (no API round trip per request); in tests from whatever holds objects.
public protocol PlacementReader: Sendable {
    /// The Service at `key`, if known.
    func service(_ key: ObjectKey) -> JSON?
    /// The leaves whose root is `root`, of the root's own kind.
    func leaves(of root: ObjectKey, kind: RootKind) -> [JSON]
    /// The roots of any kind that claim `host` (as `PlacementIndex.normalizedHost` writes it).
    func roots(claiming host: String) -> [(kind: RootKind, object: JSON)]
}

/// Look-ups in one indexed collection of objects, such as an informer's store.
public struct IndexedObjects: Sendable {
    public let get: @Sendable (String) -> JSON?
    public let byIndex: @Sendable (_ index: String, _ value: String) -> [JSON]

    public init(get: @escaping @Sendable (String) -> JSON?, byIndex: @escaping @Sendable (String, String) -> [JSON]) {
        self.get = get
        self.byIndex = byIndex
    }
}

/// A `PlacementReader` over the Service collection (keyed by `ObjectKey`)
/// and one collection per root kind indexed with `PlacementIndex.forRoots`.
public struct IndexedPlacementReader: PlacementReader {
    public let services: IndexedObjects
    public let roots: [RootKind: IndexedObjects]

    public init(services: IndexedObjects, roots: [RootKind: IndexedObjects]) {
        self.services = services
        self.roots = roots
    }

    public func service(_ key: ObjectKey) -> JSON? {
        services.get(key.description)
    }

    public func leaves(of root: ObjectKey, kind: RootKind) -> [JSON] {
        roots[kind]?.byIndex(PlacementIndex.ownedBy.0, root.description) ?? []
    }

    public func roots(claiming host: String) -> [(kind: RootKind, object: JSON)] {
        RootKind.allCases.flatMap { kind in
            (roots[kind]?.byIndex(PlacementIndex.hosts.0, host) ?? []).map { (kind, $0) }
        }
    }
}
