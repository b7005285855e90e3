import Synchronization

/// The streaming calls a server is running, so that shutdown can end them:
/// an ADS stream never ends by itself, and a client held on one would wait
/// out the whole grace period instead of moving to another replica.
final class GRPCStreamingCalls: Sendable {
    static let shuttingDown = GRPCStatus(.unavailable, "server shutting down")

    private struct State {
        var calls: [Int: GRPCCallEnding] = [:]
        var nextID = 0
        var shuttingDown = false
    }

    private let state = Mutex(State())

    /// Tracks `call` until `remove`; nil once shutdown began, when the
    /// call is not to start at all.
    func add(_ call: GRPCCallEnding) -> Int? {
        state.withLock { state in
            guard !state.shuttingDown else { return nil }
            state.nextID += 1
            state.calls[state.nextID] = call
            return state.nextID
        }
    }

    func remove(_ id: Int) {
        state.withLock { _ = $0.calls.removeValue(forKey: id) }
    }

    /// Ends every call with UNAVAILABLE, and every later one before it starts.
    func shutDown() {
        let calls = state.withLock { state in
            state.shuttingDown = true
            return Array(state.calls.values)
        }
        for call in calls { call.end(with: Self.shuttingDown) }
    }
}
