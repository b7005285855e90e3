import KubeAPI
public import KubeClient
public import Placement

/// The informers the loop reads from and listens to: Services, and one per
/// root kind (roots and leaves alike), indexed with `PlacementIndex`.
public struct StatusLoopStores: Sendable {
    public let services: Informer
    public let roots: [RootKind: Informer]

    public init(services: Informer, roots: [RootKind: Informer]) {
        self.services = services
        self.roots = roots
    }

    /// Placement's view of the stores.
    public var reader: IndexedPlacementReader {
        func indexed(_ informer: Informer) -> IndexedObjects {
            let store = informer.store
            return IndexedObjects(get: { store.get($0) }, byIndex: { store.byIndex($0, $1) })
        }
        return IndexedPlacementReader(services: indexed(services), roots: roots.mapValues(indexed))
    }

    /// Every informer has its first list.
    public var hasSynced: Bool { services.hasSynced && roots.values.allSatisfy(\.hasSynced) }

    func root(_ reference: RootReference) -> JSON? {
        guard let object = roots[reference.kind]?.store.get(reference.key.description), !RootKind.isLeaf(object)
        else { return nil }
        return object
    }

    /// Every root, and the owner of every leaf (so orphans are visited too).
    func allReferences() -> Set<RootReference> {
        var references = Set<RootReference>()
        for (kind, informer) in roots {
            // One object unpacked at a time: the whole store as trees would be 30,000 at 10,000 roots.
            for packed in informer.store.packedList() {
                if let reference = RootReference(of: packed.unpacked(), kind: kind) { references.insert(reference) }
            }
        }
        return references
    }

    /// The roots whose backends name the Service `service`.
    func roots(using service: JSON) -> [RootReference] {
        let key = ObjectKey(of: service).description
        return roots.flatMap { kind, informer in
            informer.store.byIndex(PlacementIndex.services.0, key).map {
                RootReference(kind: kind, key: ObjectKey(of: $0))
            }
        }
    }
}
