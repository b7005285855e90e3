public import KubeAPI
public import Logging
import Synchronization

/// What changed in an informer's store. Handlers see the old object as well
/// as the new one.
public enum InformerEvent: Sendable {
    case added(JSON)
    case updated(old: JSON, new: JSON)
    case deleted(JSON)

    /// The object as it is now (or was last, when deleted).
    public var object: JSON {
        switch self {
        case .added(let object), .updated(_, let object), .deleted(let object): object
        }
    }
}

/// client-go's shared informer for one resource and selector: list, then
/// watch from the list's resourceVersion; resume each watch where the last
/// ended; relist when the server says the version is gone (410); back off
/// with jitter while the server cannot be reached.
///
/// The store is updated before handlers run, and handlers run one event at a
/// time, in order. An event whose resourceVersion the store already holds is
/// not delivered again, and a relist delivers only the differences, so a
/// dropped watch, a restarted server or a relist never repeats a handler call
/// for the same version of an object.
public final class Informer: Sendable {
    public typealias Handler = @Sendable (InformerEvent) async -> Void
    /// Applied to every object listed or watched before it is stored or
    /// handed to a handler, as client-go's `SetTransform`: what the process
    /// never reads need not be kept for every object.
    public typealias Transform = @Sendable (JSON) -> JSON

    /// Drops `metadata.managedFields`, which nothing here reads and which
    /// a real API server attaches to every object (often a third of its
    /// size). Safe for objects written back: an update that omits the
    /// field leaves the server's managed fields as they are.
    public static let stripManagedFields: Transform = { object in
        guard object["metadata"]?["managedFields"] != nil else { return object }
        var stripped = object
        stripped["metadata"]?["managedFields"] = nil
        return stripped
    }

    public let type: ResourceType
    public let namespace: String?
    public let labelSelector: String?
    public let store: InformerStore
    /// Each watch asks the server to end it after a random time in this
    /// range (client-go: 5 to 10 minutes), spreading re-watches out.
    public let watchTimeoutSeconds: ClosedRange<Int>
    private let client: APIClient
    private let transform: Transform?
    private let logger: Logger
    private let handlers = Mutex<[Handler]>([])
    private let synced = Atomic<Bool>(false)
    private let lists = Atomic<Int>(0)

    public init(
        client: APIClient,
        type: ResourceType,
        namespace: String? = nil,
        labelSelector: String? = nil,
        indexers: [String: IndexFunction] = [:],
        watchTimeoutSeconds: ClosedRange<Int> = 300...599,
        transform: Transform? = nil,
        logger: Logger
    ) {
        self.watchTimeoutSeconds = watchTimeoutSeconds
        self.transform = transform
        self.client = client
        self.type = type
        self.namespace = namespace
        self.labelSelector = labelSelector
        self.store = InformerStore(indexers: indexers)
        var logger = logger
        logger[metadataKey: "resource"] = "\(type.resource)"
        self.logger = logger
    }

    /// Registers a handler; register before `run`, so none misses the first list.
    public func addHandler(_ handler: @escaping Handler) {
        handlers.withLock { $0.append(handler) }
    }

    /// True once the first list is in the store and its handler calls returned.
    public var hasSynced: Bool { synced.load(ordering: .acquiring) }

    /// How many times the informer has listed (1 + relists): for tests and metrics.
    public var listCount: Int { lists.load(ordering: .relaxed) }

    /// Lists and watches until the task is cancelled.
    public func run() async {
        var backoff = Backoff()
        var resourceVersion: String?
        while !Task.isCancelled {
            do {
                if resourceVersion == nil {
                    resourceVersion = try await relist()
                }
                let started = ContinuousClock.now
                var events = 0
                try await client.watch(
                    type, namespace: namespace, labelSelector: labelSelector, resourceVersion: resourceVersion,
                    timeoutSeconds: Int.random(in: watchTimeoutSeconds), allowBookmarks: true
                ) { event in
                    if let version = try await apply(event) { resourceVersion = version }
                    events += 1
                    backoff.reset()
                }
                // As client-go's reflector: a watch closed at once with nothing in it is a
                // failure (a proxy cutting streams, say), not a reason to re-watch in a tight loop.
                if events == 0, started.duration(to: .now) < .seconds(1) {
                    throw KubeError(
                        reason: .unreachable, code: 0,
                        message: "very short watch: it lasted less than a second and delivered nothing")
                }
            } catch let error as KubeError where error.reason == .expired {
                logger.info("watch version expired, relisting", metadata: ["error": "\(error)"])
                resourceVersion = nil
            } catch is CancellationError {
                return
            } catch {
                let wait = backoff.next()
                logger.warning(
                    "list or watch failed, retrying", metadata: ["error": "\(error)", "retry-in": "\(wait)"])
                try? await Task.sleep(for: wait)
            }
        }
    }

    /// Lists everything and brings the store to it, delivering only what
    /// differs. Each page goes into the store as it arrives: 30,000 parsed
    /// objects held until the last page were the process's peak memory.
    private func relist() async throws -> String {
        var seen = Set<String>()
        let resourceVersion = try await client.listPages(type, namespace: namespace, labelSelector: labelSelector) {
            items, startingOver in
            if startingOver { seen = [] }
            seen.reserveCapacity(seen.count + items.count)
            for var item in items {
                // Items of a list may omit apiVersion and kind; indexes need them.
                if item["kind"] == nil {
                    item.setField("apiVersion", to: .string(type.apiVersion))
                    item.setField("kind", to: .string(type.kind))
                }
                seen.insert(InformerStore.key(of: item))
                await upsert(item)
            }
        }
        lists.add(1, ordering: .relaxed)
        for key in store.keys().subtracting(seen) {
            if let old = store.remove(key) { await deliver(.deleted(old)) }
        }
        if !synced.load(ordering: .relaxed) {
            synced.store(true, ordering: .releasing)
            logger.debug("synced", metadata: ["objects": "\(store.count)"])
        }
        return resourceVersion
    }

    /// Applies one watch event; returns the resourceVersion to resume from.
    private func apply(_ event: WatchEvent) async throws -> String? {
        guard let object = event.object else { return nil }
        let version = Self.version(of: object)
        switch event.type {
        case .added, .modified:
            await upsert(object)
        case .deleted:
            if let old = store.remove(InformerStore.key(of: object)) { await deliver(.deleted(old)) }
        case .bookmark:
            break
        default:
            logger.warning("unknown watch event type", metadata: ["type": "\(event.type?.rawValue ?? "")"])
        }
        return version
    }

    private func upsert(_ received: JSON) async {
        let object = transform.map { $0(received) } ?? received
        let key = InformerStore.key(of: object)
        if let version = Self.version(of: object), store.resourceVersion(of: key) == version { return }
        if let old = store.put(object) {
            await deliver(.updated(old: old, new: object))
        } else {
            await deliver(.added(object))
        }
    }

    private func deliver(_ event: InformerEvent) async {
        for handler in handlers.withLock({ $0 }) { await handler(event) }
    }

    private static func version(of object: JSON) -> String? {
        object["metadata"]?["resourceVersion"]?.stringValue
    }
}
