import KubeAPI
import KubeClient
import Placement
import Synchronization

/// What the informers report, turned into root references to reconcile.
/// Nothing here reads beyond the event or writes: handlers run inline in the
/// informers' watch loops.
extension StatusLoop {
    func rootOrLeafChanged(_ event: InformerEvent, kind: RootKind) async {
        guard let reference = RootReference(of: event.object, kind: kind) else { return }
        if case .deleted = event, !RootKind.isLeaf(event.object) {
            deletedRoots.withLock { _ = $0.insert(reference) }
        } else if case .added = event, !RootKind.isLeaf(event.object) {
            deletedRoots.withLock { _ = $0.remove(reference) }
        }
        if RootKind.isLeaf(event.object) {
            if case .updated(let old, let new) = event, old["status"] != new["status"] {
                let now = ContinuousClock.now
                statusSeen.withLock { seen in
                    if seen[reference] == nil { seen[reference] = now }
                }
            }
        }
        // A root whose status alone changed is reconciled too, though this
        // loop most likely wrote it: the loop reads roots from the informer's
        // store, and a pass that ran before its own previous write came back
        // compared with that older status, found nothing to write and left
        // the previous one standing (a route Envoy had just taken stayed
        // Pending). Now the write's own event brings the root back; a pass
        // that finds the status right writes nothing, so this ends there.
        await enqueue(reference)
    }

    func serviceChanged(_ event: InformerEvent) async {
        if case .updated(let old, let new) = event,
            old["metadata"]?["labels"]?[PlacementLabels.cluster] == new["metadata"]?["labels"]?[PlacementLabels.cluster]
        {
            return
        }
        for reference in stores.roots(using: event.object) { await enqueue(reference) }
    }
}
