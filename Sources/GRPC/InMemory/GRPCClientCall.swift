public import SwiftProtobuf

/// A client's end of one in-memory call: send requests, half-close or
/// cancel, read the responses and the final status. Any kind of method can
/// be called this way; a unary call is one `send`, `finishSending()`, one response.
public struct GRPCClientCall<Request: SwiftProtobuf.Message, Response: SwiftProtobuf.Message>: Sendable {
    let stream: InMemoryGRPCStream
    let served: GRPCOneShot<Void>

    /// Sends one request message. Throws once the call has been
    /// half-closed, cancelled or has ended.
    public func send(_ request: Request) throws {
        let bytes: [UInt8]
        do {
            bytes = try request.serializedBytes()
        } catch {
            throw GRPCStatus(.internal, "cannot encode \(Request.protoMessageName): \(error)")
        }
        try stream.send(GRPCFraming.frame(bytes))
    }

    /// Half-closes: the server's request stream ends.
    public func finishSending() {
        stream.halfClose()
    }

    /// Cancels the call as a client's RST_STREAM would: the server's method
    /// is ended, and the result is CANCELLED.
    public func cancel() {
        stream.cancel()
    }

    /// The response messages, until the call ends.
    public var responses: GRPCClientResponses<Response> {
        GRPCClientResponses(messages: stream.responses)
    }

    /// The status and trailers the call ended with, once it has.
    public func result() async throws -> GRPCCallResult {
        try await stream.outcome.value()
    }

    /// Returns once the server is done with the call: its method has
    /// returned and it has answered. Throws CancellationError if the
    /// waiting task is cancelled first.
    public func serverFinished() async throws {
        try await served.value()
    }
}

/// A call's response messages as they arrive; the sequence ends when the
/// call ends, whatever its status (read it from `GRPCClientCall.result()`).
public struct GRPCClientResponses<Response: SwiftProtobuf.Message>: AsyncSequence, Sendable {
    public typealias Element = Response
    let messages: AsyncStream<[UInt8]>

    public struct AsyncIterator: AsyncIteratorProtocol {
        var base: AsyncStream<[UInt8]>.AsyncIterator

        public mutating func next() async throws -> Response? {
            guard let bytes = await base.next() else { return nil }
            return try decodeMessage(bytes)
        }
    }

    public func makeAsyncIterator() -> AsyncIterator {
        AsyncIterator(base: messages.makeAsyncIterator())
    }
}
