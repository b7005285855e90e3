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
        var sources: [RootIdentity: RootSource] = [:]
        var dirty: Set<RootIdentity> = []
        /// False until the first build, which reads everything.
        var listed = false
    }

    private let state = Mutex(State())
    private let stores: [RootKind: InformerStore]
    private let reader: IndexedPlacementReader

    init(stores: [RootKind: InformerStore], reader: IndexedPlacementReader) {
        self.stores = stores
        self.reader = reader
    }

    /// An event of any kind of change, route-relevant or not: the root it
    /// concerns (a leaf's owner) is read again by the next build.
    func changed(_ event: InformerEvent, kind: RootKind) {
        guard let root = RootReference(of: event.object, kind: kind) else { return }
        state.withLock { _ = $0.dirty.insert(RootIdentity(kind: root.kind, key: root.key)) }
    }

    /// Every root with its leaves, as the stores hold them now.
    func current() -> [RootSource] {
        state.withLock { state in
            if state.listed { _ = read(&state) } else { _ = list(&state) }
            return Array(state.sources.values)
        }
    }

    /// The roots marked since the last call of either, as they are now:
    /// each changed one with its leaves, and those gone. The first call
    /// gives every root.
    func changes() -> SnapshotBuilder.RootChanges {
        state.withLock { state in
            state.listed ? read(&state) : SnapshotBuilder.RootChanges(changed: list(&state), removed: [])
        }
    }

    /// Reads every root into `state.sources`.
    private func list(_ state: inout State) -> [RootSource] {
        let objects = stores.flatMap { kind, store in store.list().map { (kind: kind, object: $0) } }
        let roots = RootSource.roots(of: objects, reader: reader)
        state.sources = Dictionary(roots.map { ($0.identity, $0) }, uniquingKeysWith: { first, _ in first })
        state.listed = true
        state.dirty = []
        return roots
    }

    /// Reads the marked roots again into `state.sources`.
    private func read(_ state: inout State) -> SnapshotBuilder.RootChanges {
        var changes = SnapshotBuilder.RootChanges(changed: [], removed: [])
        for root in state.dirty {
            if let object = stores[root.kind]?.get(root.key.description), !RootKind.isLeaf(object) {
                let source = RootSource(
                    kind: root.kind, object: object, leaves: reader.leaves(of: root.key, kind: root.kind))
                state.sources[root] = source
                changes.changed.append(source)
            } else if state.sources.removeValue(forKey: root) != nil {
                changes.removed.append(root)
            }
        }
        state.dirty = []
        return changes
    }
}
