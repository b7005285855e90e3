import KubeAPI
import Synchronization

/// A change to one object at one revision.
struct StoreEvent: Sendable {
    enum Kind: Sendable { case added, modified, deleted }
    var kind: Kind
    var revision: UInt64
    var resource: String
    var namespace: String?
    var object: JSON
    /// The object before a modification, so that watchers with a label
    /// selector can see an object leave or enter their view.
    var previous: JSON?
}

/// Every object, one global revision counter (as etcd's), a bounded history
/// of recent events for watches that resume, and the live watchers.
///
/// One lock guards it all and is never held across anything that waits:
/// writers to different objects only contend for the moments of the write
/// itself, and watchers are fed through bounded buffers so a slow one is
/// closed rather than allowed to stall writers or other watchers.
final class ObjectStore: Sendable {
    struct Watcher {
        let resource: String
        let namespace: String?
        let continuation: AsyncStream<StoreEvent>.Continuation
    }

    private struct State {
        var revision: UInt64 = 1
        var objects: [String: [String: JSON]] = [:]
        /// Each resource's keys in order, kept from one page of a list to
        /// the next and dropped by a write that adds or removes a key.
        var sortedKeys: [String: [String]] = [:]
        var history: [StoreEvent] = []
        /// The printed size of the objects `history` holds, which bounds it
        /// as well as its count: a few large objects updated often would
        /// otherwise keep every old version in memory.
        var historyBytes = 0
        /// The size of each event of `history`, in the same order.
        var historySizes: [Int] = []
        var historyStart = 0
        var watchers: [Int: Watcher] = [:]
        var nextWatcher = 0
        /// Set at shutdown: watches end, and new ones end at once.
        var watchesClosed = false
    }

    private let state = Mutex(State())
    let historyCapacity: Int
    let historyByteCapacity: Int
    let watcherBuffer: Int
    /// Nil keeps everything in memory (`--ephemeral`).
    private let log: ObjectLog?

    init(
        historyCapacity: Int = 10_000,
        historyByteCapacity: Int = 32 * 1024 * 1024,
        watcherBuffer: Int = 1_000,
        log: ObjectLog? = nil
    ) {
        self.historyCapacity = historyCapacity
        self.historyByteCapacity = historyByteCapacity
        self.watcherBuffer = watcherBuffer
        self.log = log
        if let log {
            state.withLock { state in
                for entry in log.loaded where !entry.resource.isEmpty {
                    state.objects[entry.resource, default: [:]][entry.key] = entry.object
                }
                state.revision = max(state.revision, log.lastRevision)
            }
        }
    }

    static func key(namespace: String?, name: String) -> String {
        namespace.map { "\($0)/\(name)" } ?? name
    }

    var revision: UInt64 { state.withLock { $0.revision } }

    func get(_ resource: String, namespace: String?, name: String) -> JSON? {
        state.withLock { $0.objects[resource]?[Self.key(namespace: namespace, name: name)] }
    }

    /// Objects of `resource` (in `namespace` if given), sorted by key, and
    /// the revision the list is consistent with.
    func list(_ resource: String, namespace: String?) -> (items: [(key: String, object: JSON)], revision: UInt64) {
        let all = page(resource, namespace: namespace, after: nil, limit: nil) { _ in true }
        return (all.items, all.revision)
    }

    /// One page of `resource`'s objects (in `namespace` if given), in key
    /// order: those after the key `after` that `matches` accepts, at most
    /// `limit`, and whether more follow. The sorted keys are kept between
    /// pages, so a page costs its own length and a binary search; sorting
    /// the whole collection for each page made a list of 30,000 objects in
    /// pages of 500 take six seconds.
    func page(
        _ resource: String, namespace: String?, after: String?, limit: Int?, matching matches: (JSON) -> Bool
    ) -> (items: [(key: String, object: JSON)], more: Bool, revision: UInt64) {
        state.withLock { state in
            let objects = state.objects[resource] ?? [:]
            let keys = state.sortedKeys[resource] ?? objects.keys.sorted()
            state.sortedKeys[resource] = keys
            let prefix = namespace.map { "\($0)/" } ?? ""
            var index = keys.partitioningIndex { $0 >= prefix }
            if let after { index = max(index, keys.partitioningIndex { $0 > after }) }
            var items: [(key: String, object: JSON)] = []
            while index < keys.count, keys[index].hasPrefix(prefix) {
                let key = keys[index]
                index += 1
                guard let object = objects[key], matches(object) else { continue }
                if let limit, items.count == limit { return (items, true, state.revision) }
                items.append((key, object))
            }
            return (items, false, state.revision)
        }
    }

    /// Stores the result of `change` applied to the current object (nil if
    /// none) under a new revision, atomically. `change` returns the object to
    /// store (its resourceVersion is set here) or nil to delete; it throws to
    /// abort. Returns the stored (or deleted) object once it is on disk.
    ///
    /// The write is applied and queued for the log under the lock, in
    /// revision order, and awaited on disk after the lock is released, so
    /// concurrent writes share one fsync (`GroupCommitWriter`). Readers and
    /// watchers may see a write a moment before it is on disk; its writer
    /// hears of it only after. A failed flush fails the write with 500.
    @discardableResult
    func write(
        _ resource: String,
        namespace: String?,
        name: String,
        _ change: (JSON?) throws(APIError) -> JSON?
    ) async throws(APIError) -> JSON? {
        let (result, sequence) = try apply(resource, namespace: namespace, name: name, change)
        guard let log, let sequence else { return result }
        do {
            try await log.waitUntilDurable(sequence)
        } catch {
            throw APIError.internalError("cannot write the object log: \(error)")
        }
        return result
    }

    /// `write` for start-up, before the server serves: flushes at once.
    func writeAtStart(_ resource: String, namespace: String?, name: String, object: JSON) throws(APIError) {
        _ = try apply(resource, namespace: namespace, name: name) { _ throws(APIError) in object }
        do {
            try log?.flushNow()
        } catch {
            throw APIError.internalError("cannot write the object log: \(error)")
        }
    }

    /// The in-memory part of `write`; returns the log sequence to wait for.
    private func apply(
        _ resource: String,
        namespace: String?,
        name: String,
        _ change: (JSON?) throws(APIError) -> JSON?
    ) throws(APIError) -> (JSON?, UInt64?) {
        let key = Self.key(namespace: namespace, name: name)
        let (result, sequence, overflowed) = try state.withLock {
            state throws(APIError) -> (JSON?, UInt64?, [AsyncStream<StoreEvent>.Continuation]) in
            let current = state.objects[resource]?[key]
            guard var next = try change(current) else {
                guard let current else { return (nil, nil, []) }
                let sequence = log?.enqueue(
                    ObjectLog.Entry(revision: state.revision + 1, resource: resource, key: key, object: nil))
                state.revision += 1
                var deleted = current
                deleted["metadata"]?["resourceVersion"] = .string(String(state.revision))
                state.objects[resource]?[key] = nil
                state.sortedKeys[resource] = nil
                let event = StoreEvent(
                    kind: .deleted, revision: state.revision, resource: resource, namespace: namespace, object: deleted,
                    previous: current)
                return (deleted, sequence, record(event, in: &state))
            }
            next["metadata"]?["resourceVersion"] = .string(String(state.revision + 1))
            let sequence = log?.enqueue(
                ObjectLog.Entry(revision: state.revision + 1, resource: resource, key: key, object: next))
            state.revision += 1
            state.objects[resource, default: [:]][key] = next
            if current == nil { state.sortedKeys[resource] = nil }
            let event = StoreEvent(
                kind: current == nil ? .added : .modified, revision: state.revision, resource: resource,
                namespace: namespace, object: next, previous: current)
            return (next, sequence, record(event, in: &state))
        }
        // Finishing runs the watcher's termination handler, which takes the
        // lock: only after it has been released.
        for continuation in overflowed { continuation.finish() }
        return (result, sequence)
    }

    /// Appends to history and feeds the watchers; returns those that
    /// overflowed, already removed, for the caller to finish outside the lock.
    private func record(_ event: StoreEvent, in state: inout State) -> [AsyncStream<StoreEvent>.Continuation] {
        let size = Self.size(of: event)
        state.history.append(event)
        state.historySizes.append(size)
        state.historyBytes += size
        var drop = 0
        // The newest event always stays: a watch from the current revision
        // must not be told it is too old.
        while drop < state.history.count - 1,
            state.history.count - drop > historyCapacity || state.historyBytes > historyByteCapacity
        {
            state.historyBytes -= state.historySizes[drop]
            drop += 1
        }
        if drop > 0 {
            state.history.removeFirst(drop)
            state.historySizes.removeFirst(drop)
            state.historyStart += drop
        }
        var overflowed: [Int] = []
        for (id, watcher) in state.watchers where Self.concerns(event, watcher) {
            if case .dropped = watcher.continuation.yield(event) { overflowed.append(id) }
        }
        return overflowed.compactMap { state.watchers.removeValue(forKey: $0)?.continuation }
    }

    /// What an event keeps alive: the object and, for a change, the
    /// version before it (counted apart, though it may share storage).
    private static func size(of event: StoreEvent) -> Int {
        event.object.encodedSize(upTo: .max) + (event.previous?.encodedSize(upTo: .max) ?? 0)
    }

    /// The count and printed size of the events kept for resuming watches.
    var historyUsage: (events: Int, bytes: Int) { state.withLock { ($0.history.count, $0.historyBytes) } }

    private static func concerns(_ event: StoreEvent, _ watcher: Watcher) -> Bool {
        event.resource == watcher.resource && (watcher.namespace == nil || watcher.namespace == event.namespace)
    }

    /// A stream of the events of `resource` after `revision`: those still in
    /// history first, then live ones. Nil when `revision` is older than the
    /// history: the caller answers 410 Gone and the client relists.
    /// The stream ends if the consumer falls `watcherBuffer` events behind.
    func watch(_ resource: String, namespace: String?, after revision: UInt64) -> AsyncStream<StoreEvent>? {
        let (stream, continuation) = AsyncStream.makeStream(
            of: StoreEvent.self, bufferingPolicy: .bufferingOldest(watcherBuffer))
        let id: Int? = state.withLock { state in
            let oldest = state.history.first?.revision ?? state.revision + 1
            // Events after `revision` must all still be in history.
            guard revision + 1 >= oldest || revision >= state.revision else { return nil }
            for event in state.history
            where event.revision > revision && event.resource == resource
                && (namespace == nil || event.namespace == namespace)
            {
                if case .dropped = continuation.yield(event) {
                    continuation.finish()
                    return -1
                }
            }
            if state.watchesClosed {
                continuation.finish()
                return -1
            }
            state.nextWatcher += 1
            state.watchers[state.nextWatcher] = Watcher(
                resource: resource, namespace: namespace, continuation: continuation)
            return state.nextWatcher
        }
        guard let id else { return nil }
        if id >= 0 {
            continuation.onTermination = { _ in
                self.state.withLock { _ = $0.watchers.removeValue(forKey: id) }
            }
        }
        return stream
    }

    var watcherCount: Int { state.withLock { $0.watchers.count } }

    /// Ends every watch, and every one started from now on, as
    /// kube-apiserver does when it shuts down: clients re-watch elsewhere
    /// instead of holding the server's shutdown for its whole grace period.
    func closeWatches() {
        let ending = state.withLock { state in
            state.watchesClosed = true
            defer { state.watchers = [:] }
            return state.watchers.values.map(\.continuation)
        }
        // Outside the lock: finishing runs onTermination, which takes it.
        for continuation in ending { continuation.finish() }
    }
}
