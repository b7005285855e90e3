public import KubeAPI
public import Logging
import Metrics
import Synchronization

/// Rebuilds the snapshot when roots, leaves or Services change: changes
/// are coalesced (a burst of a thousand gives a handful of builds, each
/// from the stores as they are then), translated, rendered and published
/// to every stream at once.
public final class SnapshotBuilder: Sendable {
    /// What a build reads: every root with its leaves, or only the roots
    /// changed since the last read, and Services by key.
    public struct Source: Sendable {
        public var roots: @Sendable () -> [RootSource]
        /// The roots created or changed (with their leaves) and those gone
        /// since the last call of either; nil: every build reads `roots`.
        public var changes: (@Sendable () -> RootChanges)?
        public var service: @Sendable (ObjectKey) -> JSON?
        /// Every root packed, for a first build that unpacks a batch at a
        /// time: at 10,000 roots, every tree at once was the peak of the
        /// process's memory, and left its heap fragmented. Nil: `roots`.
        public var packedRoots: (@Sendable () -> [PackedRootSource])?

        public init(
            roots: @escaping @Sendable () -> [RootSource], changes: (@Sendable () -> RootChanges)? = nil,
            packedRoots: (@Sendable () -> [PackedRootSource])? = nil, service: @escaping @Sendable (ObjectKey) -> JSON?
        ) {
            self.roots = roots
            self.changes = changes
            self.packedRoots = packedRoots
            self.service = service
        }
    }

    /// What changed among the roots since the last read.
    public struct RootChanges: Sendable {
        public var changed: [RootSource]
        public var removed: [RootIdentity]

        public init(changed: [RootSource], removed: [RootIdentity]) {
            self.changed = changed
            self.removed = removed
        }
    }

    private let source: Source
    private let settings: TranslationSettings
    private let cache: SnapshotCache
    private let readiness: RouteReadiness
    private let logger: Logger
    private let signal: AsyncStream<Void>.Continuation
    private let signals: AsyncStream<Void>
    private let renderer = Mutex(SnapshotRenderer())
    private let translations = Mutex(TranslationCache())
    private let changedServices = Mutex<Set<ObjectKey>>([])
    private let conflicts = Mutex<Set<HostConflict>>([])
    private let conflictGauge = Gauge(label: "kcp_ingress_xds_host_conflicts")
    private let buildTimer = Metrics.Timer(
        label: "kcp_ingress_xds_snapshot_build_seconds", preferredDisplayUnit: .seconds)
    /// A change is held this long for others to join it.
    let settle: Duration

    public init(
        source: Source, settings: TranslationSettings, cache: SnapshotCache, readiness: RouteReadiness,
        settle: Duration = .milliseconds(5), logger: Logger
    ) {
        self.source = source
        self.settings = settings
        self.cache = cache
        self.readiness = readiness
        self.settle = settle
        self.logger = logger
        (signals, signal) = AsyncStream.makeStream(of: Void.self, bufferingPolicy: .bufferingNewest(1))
    }

    /// Something the routes depend on changed. Cheap: informer handlers call it inline.
    public func changed() {
        signal.yield()
    }

    /// The Service `key` was created, changed or deleted: the roots whose
    /// backends name it may route elsewhere now, and are translated again.
    public func serviceChanged(_ key: ObjectKey) {
        changedServices.withLock { _ = $0.insert(key) }
        signal.yield()
    }

    /// Builds once now, then after every change, until cancelled.
    public func run() async {
        build()
        for await _ in signals {
            do { try await Task.sleep(for: settle) } catch { return }
            build()
        }
    }

    /// One build from the stores as they are now.
    public func build() {
        let start = ContinuousClock.now
        let translation = translations.withLock { cache in
            let services = changedServices.withLock { changed in
                defer { changed = [] }
                return changed
            }
            if cache.holdsEveryRoot, let changes = source.changes?() {
                return Translator.translate(
                    changed: changes.changed, removed: changes.removed, service: source.service,
                    settings: settings, servicesChanged: services, cache: &cache)
            }
            // The first build into an empty cache; later ones without changes translate everything.
            if !cache.holdsEveryRoot, let packedRoots = source.packedRoots {
                let translation = Self.translateInBatches(
                    packedRoots(), service: source.service, settings: settings, servicesChanged: services,
                    cache: &cache)
                cache.holdsEveryRoot = true
                return translation
            }
            // The first build, and every build of a source that cannot say what changed.
            let translation = Translator.translate(
                roots: source.roots(), service: source.service, settings: settings, servicesChanged: services,
                cache: &cache)
            cache.holdsEveryRoot = true
            return translation
        }
        let rendered: RenderedSnapshot
        do {
            rendered = try renderer.withLock { try $0.render(translation.table, changed: translation.retranslated) }
        } catch {
            // Encoding our own messages cannot fail short of a bug: keep serving the last snapshot.
            logger.error("cannot encode the Envoy configuration", metadata: ["error": "\(error)"])
            return
        }
        readiness.update(rendered)
        cache.publish(rendered.snapshot)
        buildTimer.record(duration: start.duration(to: .now))
        report(translation.conflicts)
        logger.debug(
            "xDS snapshot published",
            metadata: [
                "sequence": "\(rendered.snapshot.sequence)", "virtualHosts": "\(rendered.snapshot.virtualHosts.count)",
                "clusters": "\(rendered.snapshot.clusters.count)",
            ])
    }

    /// A first build, into an empty cache, `batch` roots at a time: each
    /// batch is a change to what the ones before it gave, so the table is
    /// the one a single translation of every root gives, and the trees of
    /// one batch are freed (and their memory reused) before the next.
    static func translateInBatches(
        _ roots: [PackedRootSource], batch: Int = 1_000, service: (ObjectKey) -> JSON?,
        settings: TranslationSettings, servicesChanged: Set<ObjectKey>, cache: inout TranslationCache
    ) -> Translation {
        precondition(batch > 0, "a batch holds at least one root")
        var start = 0
        var translation: Translation
        repeat {
            let sources = roots[start..<min(start + batch, roots.count)].map { $0.unpacked() }
            translation = Translator.translate(
                changed: sources, removed: [], service: service, settings: settings,
                servicesChanged: start == 0 ? servicesChanged : [], cache: &cache)
            start += batch
        } while start < roots.count
        // Everything is new: the renderer renders it all.
        translation.retranslated = nil
        return translation
    }

    /// Logs each host conflict once, when it appears, and counts those standing.
    private func report(_ current: [HostConflict]) {
        let now = Set(current)
        let fresh = conflicts.withLock { known in
            defer { known = now }
            return now.subtracting(known)
        }
        conflictGauge.record(now.count)
        for conflict in fresh.sorted(by: { $0.host < $1.host }) {
            logger.warning(
                "two roots claim one host; the older keeps it",
                metadata: [
                    "host": "\(conflict.host)", "kept by": "\(conflict.winner)", "refused to": "\(conflict.loser)",
                ])
        }
    }
}
