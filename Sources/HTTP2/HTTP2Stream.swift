public import NIOCore
import Synchronization

/// One request stream, as the application sees it: the request's headers,
/// its body as it arrives, and the means to answer.
///
/// Every answering method hops to the connection's event loop and hands
/// its frames to the session there, never while nghttp2 is parsing.
public final class HTTP2Stream: Sendable {
    public let id: Int32
    /// The request's header block, pseudo-headers (`:method`, `:path`) first.
    public let headers: [HTTP2Header]
    public let body: HTTP2RequestBody
    let connection: HTTP2ConnectionReference
    private let cancellation = Mutex<(cancelled: Bool, handlers: [@Sendable () -> Void])>((false, []))

    init(id: Int32, headers: [HTTP2Header], body: HTTP2RequestBody, connection: HTTP2ConnectionReference) {
        self.id = id
        self.headers = headers
        self.body = body
        self.connection = connection
    }

    /// The value of the first header named `name`.
    public func header(_ name: String) -> String? {
        headers.first { $0.name == name }?.value
    }

    public var eventLoop: any EventLoop { connection.eventLoop }

    /// Sends the response headers; with `endStream` they are the whole response.
    public func respond(headers: [HTTP2Header], endStream: Bool = false) async throws {
        try await connection.run { try $0.respond(streamID: self.id, headers: headers, endStream: endStream) }
    }

    /// Sends body bytes; `end` finishes the response, with `trailers` if
    /// given. Returns once the bytes are queued; waits first while more
    /// than a bounded amount is still held back by the peer's window.
    public func write(_ bytes: ByteBuffer, end: Bool = false, trailers: [HTTP2Header]? = nil) async throws {
        let drained = try await connection.run { handler in
            try handler.send(bytes, streamID: self.id, end: end, trailers: trailers)
        }
        try await drained?.get()
    }

    /// Sends body bytes, first sending `headers` if the response has not
    /// started, in one step on the connection's loop: writers racing from
    /// several tasks never put DATA before the HEADERS (a gRPC call whose
    /// messages come from more than one task). Returns whether the headers
    /// were sent by this call.
    @discardableResult
    public func write(_ bytes: ByteBuffer, startingResponseWith headers: [HTTP2Header]) async throws -> Bool {
        let (started, drained) = try await connection.run { handler in
            let starting = !handler.hasResponded(streamID: self.id)
            if starting { try handler.respond(streamID: self.id, headers: headers, endStream: false) }
            return (starting, try handler.send(bytes, streamID: self.id, end: false, trailers: nil))
        }
        try await drained?.get()
        return started
    }

    /// True once the response headers have been sent.
    public func hasResponded() async throws -> Bool {
        try await connection.run { $0.hasResponded(streamID: self.id) }
    }

    /// Exempts this stream from the connection's read timeout: for a
    /// request body that is a long-lived stream of messages (gRPC
    /// streaming), bounded by its own deadlines instead.
    public func disableReadTimeout() {
        let connection = connection
        let id = id
        if connection.eventLoop.inEventLoop {
            connection.handler.value.disableReadTimeout(streamID: id)
        } else {
            connection.eventLoop.execute { connection.handler.value.disableReadTimeout(streamID: id) }
        }
    }

    /// Ends the stream with RST_STREAM.
    public func reset(errorCode: UInt32 = HTTP2ErrorCode.cancel) async {
        try? await connection.run { $0.reset(streamID: self.id, errorCode: errorCode) }
    }

    /// Runs `handler` when the peer resets the stream or the connection
    /// goes away before the response is complete (at once if it already has).
    /// Every handler given runs: the router cancels the stream's task, and
    /// the gRPC server ends the call it serves on the stream.
    public func onCancel(_ handler: @escaping @Sendable () -> Void) {
        let runNow = cancellation.withLock { state -> Bool in
            if state.cancelled { return true }
            state.handlers.append(handler)
            return false
        }
        if runNow { handler() }
    }

    func cancel() {
        let handlers = cancellation.withLock { state -> [@Sendable () -> Void] in
            state.cancelled = true
            defer { state.handlers = [] }
            return state.handlers
        }
        for handler in handlers { handler() }
    }
}

/// A request body, chunk by chunk. Reading a chunk opens the peer's
/// flow-control window by its size: a handler that does not read holds
/// the client back.
public struct HTTP2RequestBody: AsyncSequence, Sendable {
    public typealias Element = ByteBuffer

    let chunks: AsyncThrowingStream<ByteBuffer, any Error>
    let consumed: @Sendable (Int) -> Void

    public struct AsyncIterator: AsyncIteratorProtocol {
        var base: AsyncThrowingStream<ByteBuffer, any Error>.AsyncIterator
        let consumed: @Sendable (Int) -> Void

        public mutating func next() async throws -> ByteBuffer? {
            guard let chunk = try await base.next() else { return nil }
            consumed(chunk.readableBytes)
            return chunk
        }
    }

    public func makeAsyncIterator() -> AsyncIterator {
        AsyncIterator(base: chunks.makeAsyncIterator(), consumed: consumed)
    }

    /// The whole body, refused with `HTTP2BodyTooLarge` past `limit` bytes.
    public func collect(upTo limit: Int) async throws -> ByteBuffer {
        var all = ByteBuffer()
        for try await var chunk in self {
            guard all.readableBytes + chunk.readableBytes <= limit else { throw HTTP2BodyTooLarge(limit: limit) }
            if all.readableBytes == 0 { all = chunk } else { all.writeBuffer(&chunk) }
        }
        return all
    }
}

public struct HTTP2BodyTooLarge: Error, CustomStringConvertible {
    public var limit: Int
    public var description: String { "request body larger than \(limit) bytes" }
}

/// The stream was reset or its connection closed before it finished.
public struct HTTP2StreamReset: Error, CustomStringConvertible {
    public var errorCode: UInt32
    public var description: String { "HTTP/2 stream reset (error code \(errorCode))" }
}

/// Receives the streams of a connection.
public protocol HTTP2StreamHandler: Sendable {
    /// Called on the connection's event loop once a request's headers have
    /// been parsed (never from inside nghttp2). Start work and return.
    func handle(_ stream: HTTP2Stream)
}

/// A way back from a stream's task to its connection handler, on its loop.
struct HTTP2ConnectionReference: Sendable {
    let eventLoop: any EventLoop
    let handler: NIOLoopBound<HTTP2ServerHandler>

    func run<Result: Sendable>(
        _ body: @escaping @Sendable (HTTP2ServerHandler) throws -> Result
    ) async throws -> Result {
        if eventLoop.inEventLoop { return try body(handler.value) }
        return try await eventLoop.submit { try body(handler.value) }.get()
    }
}
