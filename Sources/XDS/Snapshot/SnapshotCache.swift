import Synchronization

/// The current snapshot, and every stream waiting for the next one.
///
/// Watchers keep only the newest snapshot: a stream busy with a slow Envoy
/// skips the versions it had no time for instead of queueing them. Until
/// the first snapshot (built from complete informer stores) there is none:
/// a restarted server must not tell a connected Envoy that every route is
/// gone.
public final class SnapshotCache: Sendable {
    private struct State {
        var snapshot: XDSSnapshot?
        var watchers: [Int: AsyncStream<XDSSnapshot>.Continuation] = [:]
        var nextWatcher = 0
        var closed = false
    }

    private let state: Mutex<State>

    public init(_ snapshot: XDSSnapshot? = nil) {
        state = Mutex(State(snapshot: snapshot))
    }

    public var current: XDSSnapshot? { state.withLock { $0.snapshot } }

    public func publish(_ snapshot: XDSSnapshot) {
        let watchers = state.withLock { state in
            state.snapshot = snapshot
            return Array(state.watchers.values)
        }
        for watcher in watchers { watcher.yield(snapshot) }
    }

    /// The snapshot now (if there is one), then each newer one, until `close()`.
    public func watch() -> AsyncStream<XDSSnapshot> {
        let (stream, continuation) = AsyncStream.makeStream(of: XDSSnapshot.self, bufferingPolicy: .bufferingNewest(1))
        let id = state.withLock { state -> Int? in
            if let snapshot = state.snapshot { continuation.yield(snapshot) }
            guard !state.closed else { return nil }
            state.nextWatcher += 1
            state.watchers[state.nextWatcher] = continuation
            return state.nextWatcher
        }
        guard let id else {
            continuation.finish()
            return stream
        }
        continuation.onTermination = { _ in
            self.state.withLock { _ = $0.watchers.removeValue(forKey: id) }
        }
        return stream
    }

    /// Ends every watch: streams finish and their calls can end.
    public func close() {
        let watchers = state.withLock { state in
            state.closed = true
            defer { state.watchers = [:] }
            return Array(state.watchers.values)
        }
        for watcher in watchers { watcher.finish() }
    }
}
