import HTTP2
import NIOCore
import Synchronization

/// The server's side of an in-memory call: what a client sends becomes the
/// request body, and what the server writes is cut back into messages for
/// the client, in the order written.
final class InMemoryGRPCStream: GRPCServerStream {
    let requestHeaders: [HTTP2Header]
    let requestBody: AsyncThrowingStream<ByteBuffer, any Error>
    /// The response messages, for the client.
    let responses: AsyncStream<[UInt8]>
    let outcome = GRPCOneShot<GRPCCallResult>()

    private let requests: AsyncThrowingStream<ByteBuffer, any Error>.Continuation
    private let responseMessages: AsyncStream<[UInt8]>.Continuation

    private struct State {
        var responded = false
        var finished = false
        var halfClosed = false
        var cancelled = false
        var cancelHandlers: [@Sendable () -> Void] = []
        var decoder = GRPCMessageDecoder(maxMessageBytes: .max)
    }

    private let state = Mutex(State())

    init(requestHeaders: [HTTP2Header]) {
        self.requestHeaders = requestHeaders
        (requestBody, requests) = AsyncThrowingStream.makeStream(of: ByteBuffer.self)
        (responses, responseMessages) = AsyncStream.makeStream(of: [UInt8].self)
    }

    // MARK: The server's side

    func write(_ bytes: ByteBuffer, startingResponseWith headers: [HTTP2Header]) async throws {
        try state.withLock { state in
            guard !state.cancelled, !state.finished else { throw GRPCStatus(.cancelled, "the call has ended") }
            // Yielded under the lock, so that concurrent writers' messages
            // reach the client whole and in the order they were written.
            state.responded = true
            state.decoder.append(bytes)
            while let message = try state.decoder.next() { responseMessages.yield(message) }
        }
    }

    func finish(trailers: [HTTP2Header], trailersOnlyHeaders headers: [HTTP2Header]) async throws {
        let block = try state.withLock { state in
            guard !state.cancelled, !state.finished else { throw GRPCStatus(.cancelled, "the call has ended") }
            state.finished = true
            return state.responded ? trailers : headers + trailers
        }
        responseMessages.finish()
        outcome.set(GRPCCallResult(status: GRPCStatus(trailers: block), trailers: block))
    }

    func hasResponded() async throws -> Bool {
        state.withLock { $0.responded }
    }

    func onCancel(_ handler: @escaping @Sendable () -> Void) {
        let runNow = state.withLock { state in
            if !state.cancelled { state.cancelHandlers.append(handler) }
            return state.cancelled
        }
        if runNow { handler() }
    }

    /// Nothing to do: in memory there is no read timeout.
    func disableReadTimeout() {}

    // MARK: The client's side

    /// Sends one framed message; serialised with the call's other writes.
    func send(_ framed: ByteBuffer) throws {
        try state.withLock { state in
            guard !state.halfClosed, !state.cancelled, !state.finished else {
                throw GRPCStatus(.failedPrecondition, "the call no longer takes messages")
            }
            requests.yield(framed)
        }
    }

    func halfClose() {
        state.withLock { state in
            state.halfClosed = true
            requests.finish()
        }
    }

    /// Ends the call from the client's side, as a stream reset would.
    func cancel() {
        let handlers = state.withLock { state -> [@Sendable () -> Void] in
            guard !state.cancelled, !state.finished else { return [] }
            state.cancelled = true
            defer { state.cancelHandlers = [] }
            return state.cancelHandlers
        }
        requests.finish(throwing: GRPCStatus(.cancelled, "the client cancelled the call"))
        responseMessages.finish()
        let status = GRPCStatus(.cancelled, "cancelled by the client")
        outcome.set(GRPCCallResult(status: status, trailers: []))
        for handler in handlers { handler() }
    }
}
