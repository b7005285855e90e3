import KubeAPI
import KubeClient
import Logging
import Placement
import ServiceLifecycle
import StatusLoop
import XDS

/// The xDS side of `serve -envoyxds`: the snapshot built from the
/// informers, the ADS service every replica serves, and the routing
/// states the status loop waits for.
struct XDSServing {
    let registry = XDSStreamRegistry()
    let cache = SnapshotCache()
    let readiness: RouteReadiness
    let builder: SnapshotBuilder
    let service: AggregatedDiscoveryService
    let synced: @Sendable () -> Bool

    init(sync: ClusterSync?, settings: TranslationSettings, nodeID: String, logger: Logger) {
        readiness = RouteReadiness(registry: registry)
        let source: SnapshotBuilder.Source
        var sources: RootSources?
        if let sync {
            let stores = sync.stores
            let reader = sync.reader
            let kept = RootSources(stores: sync.roots.mapValues(\.store))
            sources = kept
            source = SnapshotBuilder.Source(
                roots: { kept.current() }, changes: { kept.changes() }, packedRoots: { kept.packedCurrent() },
                service: reader.service)
            synced = { stores.hasSynced }
        } else {
            source = SnapshotBuilder.Source(roots: { [] }, service: { _ in nil })
            synced = { true }
        }
        builder = SnapshotBuilder(
            source: source, settings: settings, cache: cache, readiness: readiness, logger: logger)
        var driver = XDSStreamDriver(cache: cache, registry: registry, logger: logger)
        driver.expectedNodeID = nodeID
        service = AggregatedDiscoveryService(driver: driver)
        if let sync, let sources {
            let builder = builder
            sync.services.addHandler { event in
                if Self.serviceMayChangeRoutes(event) { builder.serviceChanged(ObjectKey(of: event.object)) }
            }
            for (kind, informer) in sync.roots {
                informer.addHandler { event in
                    // Every change is noted; only one that can change routes starts a build.
                    sources.changed(event, kind: kind)
                    if Self.rootMayChangeRoutes(event) { builder.changed() }
                }
            }
        }
    }

    /// Whether a Service event can change what Envoy routes: only its
    /// cluster label (and its coming and going) can.
    static func serviceMayChangeRoutes(_ event: InformerEvent) -> Bool {
        guard case .updated(let old, let new) = event else { return true }
        return old["metadata"]?["labels"] != new["metadata"]?["labels"]
    }

    /// Whether a root or leaf event can change what Envoy routes: a root's
    /// status (which the status loop writes) cannot; a leaf's status and its
    /// `kcp.dev/gateway-addresses` annotation (its gateway's address) can,
    /// and its cluster label. A leaf's spec cannot: routes come from the
    /// root's spec, which the leaf only copies. (The webhook rewrites the
    /// leaves before the root is stored: building on their events meant a
    /// whole build at 10,000 roots that changed nothing, ahead of the one
    /// the root's own event needs.)
    static func rootMayChangeRoutes(_ event: InformerEvent) -> Bool {
        guard case .updated(let old, let new) = event else { return true }
        if RootKind.isLeaf(new) {
            return old["status"] != new["status"]
                || old["metadata"]?["annotations"] != new["metadata"]?["annotations"]
                || old["metadata"]?["labels"] != new["metadata"]?["labels"]
        }
        return old["spec"] != new["spec"] || old["metadata"]?["annotations"] != new["metadata"]?["annotations"]
            || old["metadata"]?["labels"] != new["metadata"]?["labels"]
    }
}

/// Builds snapshots once the informers have synced, and tells the status
/// loop which roots' routing changed, until shutdown.
struct XDSLoop: ServiceLifecycle.Service {
    let serving: XDSServing
    let onRoutingChange: @Sendable ([RootIdentity]) async -> Void

    func run() async {
        await cancelWhenGracefulShutdown {
            while !serving.synced() {
                do { try await Task.sleep(for: .milliseconds(100)) } catch { return }
            }
            await withDiscardingTaskGroup { group in
                group.addTask { await serving.builder.run() }
                group.addTask { await serving.readiness.run(onChange: onRoutingChange) }
            }
        }
    }
}
