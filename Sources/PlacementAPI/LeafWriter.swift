public import KubeAPI
public import KubeClient
import Metrics
public import Placement
import Synchronization

/// One leaf write that did not happen.
public struct LeafWriteFailure: Error, Sendable, CustomStringConvertible {
    public var verb: String
    public var leaf: String
    public var reason: String
    public var description: String { "\(verb) of leaf \(leaf) failed: \(reason)" }
}

/// Writes a root's leaves through the API, all at once, within a deadline.
///
/// It has an API client of its own: a per-request timeout equal to the
/// deadline, no retries after 429/Retry-After (the deadline rules), and its
/// own rate limit, so that leaf writes neither wait behind the informers'
/// and status loop's requests nor blow the webhook's timeout.
public struct LeafWriter: Sendable {
    let client: APIClient
    let timeout: Duration
    /// Conflicts (someone wrote the leaf between our read and our write) are
    /// retried this many times, each against a fresh read.
    let conflictRetries = 3
    /// Roots whose DELETE the webhook has admitted and whose leaves it
    /// deleted: the status loop must not write them back while the root
    /// still exists for the few moments until the API server removes it.
    public let deletingRoots = DeletingRoots()

    public init(connection: ClusterConnection, timeout: Duration, qps: Double, burst: Int) throws {
        var options = APIClientOptions()
        options.qps = qps
        options.burst = burst
        options.requestTimeout = timeout
        options.maxRetries = 0
        client = try APIClient(connection: connection, options: options)
        self.timeout = timeout
    }

    /// Carries out `plan` for leaves of `kind`; returns what failed (empty
    /// when everything was written). Idempotent: a leaf already as desired
    /// (created meanwhile by a repeated review) is left alone.
    public func apply(_ plan: LeafPlan, kind: RootKind) async -> [LeafWriteFailure] {
        var writes: [(verb: String, key: ObjectKey, write: @Sendable () async throws -> Void)] = []
        for leaf in plan.creates {
            writes.append(("create", leaf.key, { try await create(leaf, kind) }))
        }
        for update in plan.updates {
            writes.append(
                ("update", update.leaf.key, { try await self.update(update.leaf, kind, over: update.existing) }))
        }
        for existing in plan.deletes {
            writes.append(("delete", ObjectKey(of: existing), { try await delete(existing, kind) }))
        }
        guard !writes.isEmpty else { return [] }
        let deadline = ContinuousClock.now + timeout

        enum Outcome: Sendable {
            case written(LeafWriteFailure?)
            case deadline
        }
        return await withTaskGroup(of: Outcome.self) { group in
            for (verb, key, write) in writes {
                group.addTask { .written(await attempt(verb, key, kind, deadline, write)) }
            }
            // Writes still running at the deadline are cancelled: the
            // answer must reach the API server inside its webhook timeout.
            group.addTask {
                try? await Task.sleep(until: deadline)
                return .deadline
            }
            var failures: [LeafWriteFailure] = []
            var finished = 0
            for await outcome in group {
                switch outcome {
                case .written(let failure):
                    if let failure { failures.append(failure) }
                    finished += 1
                    if finished == writes.count { group.cancelAll() }
                case .deadline:
                    group.cancelAll()
                }
            }
            return failures.sorted { $0.leaf < $1.leaf }
        }
    }

    private func attempt(
        _ verb: String, _ key: ObjectKey, _ kind: RootKind, _ deadline: ContinuousClock.Instant,
        _ write: () async throws -> Void
    ) async -> LeafWriteFailure? {
        do {
            try await write()
            Counter(label: "kcp_ingress_leaf_writes_total", dimensions: dimensions(kind, verb, "success")).increment()
            return nil
        } catch {
            if Task.isCancelled || ContinuousClock.now >= deadline {
                Counter(label: "kcp_ingress_leaf_writes_total", dimensions: dimensions(kind, verb, "timeout"))
                    .increment()
                return LeafWriteFailure(
                    verb: verb, leaf: key.description, reason: "not done within the leaf write timeout of \(timeout)")
            }
            let reason = (error as? KubeError).map { "\($0.message) (\($0.code == 0 ? "no answer" : "\($0.code)"))" }
            let result = (error as? KubeError)?.reason == .conflict ? "conflict" : "error"
            Counter(label: "kcp_ingress_leaf_writes_total", dimensions: dimensions(kind, verb, result)).increment()
            return LeafWriteFailure(verb: verb, leaf: key.description, reason: reason ?? "\(error)")
        }
    }

    private func dimensions(_ kind: RootKind, _ verb: String, _ result: String) -> [(String, String)] {
        [("kind", kind.type.kind), ("verb", verb), ("result", result)]
    }

    private func create(_ leaf: Leaf, _ kind: RootKind) async throws {
        do {
            _ = try await client.create(leaf.object, kind.type, namespace: leaf.key.namespace)
        } catch let error as KubeError where error.reason == .alreadyExists {
            // A repeated review, or a cache that had not seen the leaf yet.
            let current = try await client.get(kind.type, namespace: leaf.key.namespace, name: leaf.name)
            if !leaf.isSatisfied(by: current) { try await update(leaf, kind, over: current) }
        }
    }

    private func update(_ leaf: Leaf, _ kind: RootKind, over existing: JSON) async throws {
        var current = existing
        for attempt in 0...conflictRetries {
            do {
                _ = try await client.update(leaf.replacing(current), kind.type)
                return
            } catch let error as KubeError where error.reason == .conflict && attempt < conflictRetries {
                current = try await client.get(kind.type, namespace: leaf.key.namespace, name: leaf.name)
                if leaf.isSatisfied(by: current) { return }
            } catch let error as KubeError where error.reason == .notFound {
                _ = try await client.create(leaf.object, kind.type, namespace: leaf.key.namespace)
                return
            }
        }
    }

    private func delete(_ existing: JSON, _ kind: RootKind) async throws {
        let key = ObjectKey(of: existing)
        do {
            try await client.delete(
                kind.type, namespace: key.namespace, name: key.name, uid: existing["metadata"]?["uid"]?.stringValue)
        } catch let error as KubeError where error.reason == .notFound {
            // Already gone: what we wanted.
        }
    }
}

/// Roots being deleted, each remembered for a minute: long enough for the
/// API server to remove the root after admitting its DELETE.
public final class DeletingRoots: Sendable {
    private let roots = Mutex<[ObjectKey: ContinuousClock.Instant]>([:])
    private let memory: Duration = .seconds(60)

    public init() {}

    public func insert(_ key: ObjectKey) {
        let now = ContinuousClock.now
        roots.withLock { roots in
            roots = roots.filter { $0.value.duration(to: now) < memory }
            roots[key] = now
        }
    }

    public func remove(_ key: ObjectKey) {
        roots.withLock { _ = $0.removeValue(forKey: key) }
    }

    public func contains(_ key: ObjectKey) -> Bool {
        roots.withLock { roots in roots[key].map { $0.duration(to: .now) < memory } ?? false }
    }
}
