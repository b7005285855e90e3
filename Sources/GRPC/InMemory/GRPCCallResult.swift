public import HTTP2
import Synchronization

/// How a call ended, as its client sees it.
public struct GRPCCallResult: Sendable {
    public var status: GRPCStatus
    /// The trailers, or the whole header block of a trailers-only response.
    public var trailers: [HTTP2Header]
}

/// A call's result, set once and awaited by any number of readers.
final class GRPCCallOutcome: Sendable {
    private struct State {
        var result: GRPCCallResult?
        var waiters: [Int: CheckedContinuation<GRPCCallResult, any Error>] = [:]
        var nextWaiter = 0
    }

    private let state = Mutex(State())

    /// Sets the result unless one was set first; true if this one was.
    @discardableResult
    func set(_ result: GRPCCallResult) -> Bool {
        let waiters = state.withLock { state -> [CheckedContinuation<GRPCCallResult, any Error>]? in
            guard state.result == nil else { return nil }
            state.result = result
            defer { state.waiters = [:] }
            return Array(state.waiters.values)
        }
        for waiter in waiters ?? [] { waiter.resume(returning: result) }
        return waiters != nil
    }

    /// The result, once there is one; CancellationError if the waiting
    /// task is cancelled first.
    func value() async throws -> GRPCCallResult {
        let id = state.withLock { state in
            state.nextWaiter += 1
            return state.nextWaiter
        }
        return try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { continuation in
                let ready = state.withLock { state -> GRPCCallResult? in
                    if let result = state.result { return result }
                    if Task.isCancelled { return nil }
                    state.waiters[id] = continuation
                    return nil
                }
                if let ready {
                    continuation.resume(returning: ready)
                } else if Task.isCancelled {
                    continuation.resume(throwing: CancellationError())
                }
            }
        } onCancel: {
            state.withLock { $0.waiters.removeValue(forKey: id) }?.resume(throwing: CancellationError())
        }
    }
}
