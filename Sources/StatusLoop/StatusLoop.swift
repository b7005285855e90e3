import Foundation
public import KubeAPI
public import KubeClient
public import Logging
import Metrics
public import Placement
public import PlacementAPI
import Synchronization

/// The companion of the webhook: folds the leaves' statuses into their
/// roots, converges leaves to what `Placement` says when Services move or
/// leaves are changed behind its back, and collects orphan leaves.
///
/// Informer handlers only enqueue root references (they run inline in the
/// watch loops). Work happens in `lead()`, one leadership term at a time:
/// a fresh queue filled from the stores, `workers` reconciling one root
/// each, a periodic resync; cancelling `lead()` (the Lease lost) stops all
/// of it at once, in-flight writes included.
public final class StatusLoop: Sendable {
    let stores: StatusLoopStores
    let client: APIClient
    let writer: LeafWriter
    let settings: StatusLoopSettings
    let logger: Logger
    /// The queue of the current term; nil between terms (events are then
    /// dropped: the next term starts from the stores).
    private let queue = Mutex<WorkQueue<RootReference, ContinuousClock>?>(nil)
    /// When each orphan leaf was first seen without its root.
    let orphans = Mutex<[String: ContinuousClock.Instant]>([:])
    /// Roots whose deletion the informers reported (until their leaves are gone).
    let deletedRoots = Mutex<Set<RootReference>>([])
    /// When a leaf's status change was first seen, per root not yet written.
    let statusSeen = Mutex<[RootReference: ContinuousClock.Instant]>([:])

    public init(
        stores: StatusLoopStores, client: APIClient, writer: LeafWriter, settings: StatusLoopSettings, logger: Logger
    ) {
        self.stores = stores
        self.client = client
        self.writer = writer
        self.settings = settings
        self.logger = logger
        for (kind, informer) in stores.roots {
            informer.addHandler { [weak self] event in await self?.rootOrLeafChanged(event, kind: kind) }
        }
        stores.services.addHandler { [weak self] event in await self?.serviceChanged(event) }
    }

    /// Runs one term of work until cancelled.
    public func lead() async {
        // A term starts from complete stores.
        while !stores.hasSynced {
            do { try await Task.sleep(for: .milliseconds(100)) } catch { return }
        }
        let term = WorkQueue<RootReference, ContinuousClock>(clock: ContinuousClock(), name: "status-loop")
        queue.withLock { $0 = term }
        logger.info("status loop started", metadata: ["workers": "\(settings.workers)"])
        for reference in stores.allReferences() { await term.add(reference) }
        await withDiscardingTaskGroup { group in
            for _ in 0..<settings.workers {
                group.addTask { await self.work(term) }
            }
            group.addTask { await self.resync(term) }
            // Ends when the term is cancelled: workers leave get() with nil.
        }
        queue.withLock { $0 = nil }
        await term.shutDown()
        logger.info("status loop stopped")
    }

    private func work(_ term: WorkQueue<RootReference, ContinuousClock>) async {
        while let reference = await term.get() {
            let start = ContinuousClock.now
            let outcome = await reconcile(reference)
            Metrics.Timer(
                label: "controller_runtime_reconcile_time_seconds", dimensions: [("controller", "status-loop")]
            )
            .record(duration: start.duration(to: .now))
            Counter(
                label: "controller_runtime_reconcile_total",
                dimensions: [("controller", "status-loop"), ("result", outcome.metricLabel)]
            ).increment()
            switch outcome {
            case .done: await term.forget(reference)
            case .retry: await term.addRateLimited(reference)
            case .after(let delay): await term.add(reference, after: delay)
            }
            await term.done(reference)
        }
    }

    private func resync(_ term: WorkQueue<RootReference, ContinuousClock>) async {
        while !Task.isCancelled {
            do { try await Task.sleep(for: settings.resyncPeriod) } catch { return }
            for reference in stores.allReferences() { await term.add(reference) }
        }
    }

    /// The proxies' hold of these roots' routes changed: their status may
    /// now say they are reachable (or why not).
    /// The current term's queue length; nil while this replica does not lead.
    public func queueDepth() async -> Int? {
        guard let term = queue.withLock({ $0 }) else { return nil }
        return await term.count
    }

    public func routingChanged(_ roots: [(kind: RootKind, key: ObjectKey)]) async {
        for root in roots { await enqueue(RootReference(kind: root.kind, key: root.key)) }
    }

    func enqueue(_ reference: RootReference) async {
        guard let term = queue.withLock({ $0 }) else { return }
        await term.add(reference)
    }
}
