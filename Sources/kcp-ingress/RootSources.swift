import KubeAPI
import KubeClient
import Placement
import StatusLoop
import Synchronization
import XDS

/// The roots and leaves a snapshot build translates, kept between builds:
/// each informer event marks the root it concerns, and a build reads again
/// only those, instead of listing every object of the three kinds (30,000
/// at 10,000 roots) and looking up every root's leaves, a quarter of a build.
/// `changes()` hands the build only those roots, so that translating a
/// one-root change costs one root.
///
/// Informers update their store before their handlers run, so a root marked
/// here is read as it is after the event; one marked while a build reads is
/// read again by the next build, which that event starts.
final class RootSources: Sendable {
    private struct State {
        /// The roots the last read found: those a later read misses are gone.
        /// Identities only: the objects stay in the stores, packed.
        var known: Set<RootIdentity> = []
        var dirty: Set<RootIdentity> = []
        /// False until the first build, which reads everything.
        var listed = false
    }

    private let state = Mutex(State())
    private let stores: [RootKind: InformerStore]

    init(stores: [RootKind: InformerStore]) {
        self.stores = stores
    }

    /// An event of any kind of change, route-relevant or not: the root it
    /// concerns (a leaf's owner) is read again by the next build.
    func changed(_ event: InformerEvent, kind: RootKind) {
        guard let root = RootReference(of: event.object, kind: kind) else { return }
        state.withLock { _ = $0.dirty.insert(RootIdentity(kind: root.kind, key: root.key)) }
    }

    /// Every root with its leaves, as the stores hold them now. Reads only:
    /// what events marked stays marked for the next `changes()`.
    func current() -> [RootSource] {
        var scratch = State()
        return list(&scratch).map { $0.unpacked() }
    }

    /// The same, packed as the stores keep them: a first build unpacks a
    /// batch at a time instead of holding 30,000 trees at once.
    func packedCurrent() -> [PackedRootSource] {
        state.withLock { list(&$0) }
    }

    /// The roots marked since the last call of either, as they are now:
    /// each changed one with its leaves, and those gone. The first call
    /// gives every root.
    func changes() -> SnapshotBuilder.RootChanges {
        state.withLock { state in
            state.listed
                ? read(&state)
                : SnapshotBuilder.RootChanges(changed: list(&state).map { $0.unpacked() }, removed: [])
        }
    }

    /// Reads every root, unpacking one object at a time.
    private func list(_ state: inout State) -> [PackedRootSource] {
        var roots: [PackedRootSource] = []
        var known = Set<RootIdentity>()
        for (kind, store) in stores {
            for packed in store.packedList() {
                let object = packed.unpacked()
                guard !RootKind.isLeaf(object) else { continue }
                let key = ObjectKey(of: object)
                known.insert(RootIdentity(kind: kind, key: key))
                roots.append(packedSource(kind: kind, packed: packed, key: key, store: store))
            }
        }
        state.known = known
        state.listed = true
        state.dirty = []
        return roots
    }

    /// Reads the marked roots again.
    private func read(_ state: inout State) -> SnapshotBuilder.RootChanges {
        var changes = SnapshotBuilder.RootChanges(changed: [], removed: [])
        for root in state.dirty {
            if let store = stores[root.kind], let packed = store.packed(root.key.description),
                case let object = packed.unpacked(), !RootKind.isLeaf(object)
            {
                let source = packedSource(kind: root.kind, packed: packed, key: root.key, store: store)
                state.known.insert(root)
                changes.changed.append(source.unpacked(object: object))
            } else if state.known.remove(root) != nil {
                changes.removed.append(root)
            }
        }
        state.dirty = []
        return changes
    }

    /// A root with its leaves, each as `store` keeps it: the translation
    /// cache holds on to the store's bytes rather than packing them again.
    private func packedSource(kind: RootKind, packed: PackedJSON, key: ObjectKey, store: InformerStore)
        -> PackedRootSource
    {
        PackedRootSource(
            kind: kind, object: packed, leaves: store.packedByIndex(PlacementIndex.ownedBy.0, key.description))
    }
}
