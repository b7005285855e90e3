import Synchronization

/// Ends a running call from outside its method: the client cancelled, or
/// the server is shutting down. The first status given wins.
///
/// The call races its method against `wait()`, which throws that status;
/// waiting is cancellable, so the race ends cleanly either way.
final class GRPCCallEnding: Sendable {
    private let statuses: AsyncStream<GRPCStatus>
    private let continuation: AsyncStream<GRPCStatus>.Continuation
    private let ended = Mutex(false)

    init() {
        (statuses, continuation) = AsyncStream.makeStream(of: GRPCStatus.self, bufferingPolicy: .bufferingOldest(1))
    }

    func end(with status: GRPCStatus) {
        let first = ended.withLock { ended in
            defer { ended = true }
            return !ended
        }
        if first { continuation.yield(status) }
    }

    /// Throws the status the call is to end with, once there is one; throws
    /// CancellationError if the waiting task is cancelled first.
    func wait() async throws {
        for await status in statuses { throw status }
        throw CancellationError()
    }
}
