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
        } else if case .updated(let old, let new) = event,
            old["metadata"]?["generation"] == new["metadata"]?["generation"],
            old["metadata"]?["labels"] == new["metadata"]?["labels"],
            old["metadata"]?["deletionTimestamp"] == new["metadata"]?["deletionTimestamp"],
            old["metadata"]?["annotations"] == new["metadata"]?["annotations"], old["spec"] == new["spec"]
        {
            // Only the root's status changed, most likely by this loop: nothing to do.
            return
        }
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
