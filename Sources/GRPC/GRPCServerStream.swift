public import HTTP2
public import NIOCore

/// One gRPC call as a transport carries it: the request's headers and
/// body, and the means to answer. `GRPCServer` speaks only to this, so a
/// service runs the same over an HTTP/2 stream and over the in-memory
/// transport that tests use.
///
/// Headers are HTTP/2 header fields because gRPC's metadata is exactly
/// that; a transport that is not HTTP/2 carries them as they are.
public protocol GRPCServerStream: Sendable {
    associatedtype RequestBody: AsyncSequence, Sendable where RequestBody.Element == ByteBuffer

    /// The request's header block: `:method`, `:path`, `content-type`,
    /// `grpc-timeout`, `grpc-encoding`, and the caller's metadata.
    var requestHeaders: [HTTP2Header] { get }

    /// The request's length-prefixed messages as they arrive, in chunks
    /// cut anywhere. It ends when the client half-closes.
    var requestBody: RequestBody { get }

    /// Sends `bytes`, first sending `headers` if the response has not
    /// started, in one step: concurrent senders never put a message before
    /// the headers.
    func write(_ bytes: ByteBuffer, startingResponseWith headers: [HTTP2Header]) async throws

    /// Ends the response with `trailers`. A response that never started is
    /// sent whole instead: `headers` and `trailers` in one block that ends
    /// the stream (gRPC's trailers-only response).
    func finish(trailers: [HTTP2Header], trailersOnlyHeaders headers: [HTTP2Header]) async throws

    /// True once the response headers have been sent.
    func hasResponded() async throws -> Bool

    /// Runs `handler` when the client cancels the call (a reset stream, a
    /// closed connection), at once if it already has.
    func onCancel(_ handler: @escaping @Sendable () -> Void)

    /// Exempts the call from the transport's read timeout: the request of
    /// a streaming call is a long-lived stream, bounded by its own deadline.
    func disableReadTimeout()
}

extension GRPCServerStream {
    /// The value of the first request header named `name`.
    public func header(_ name: String) -> String? {
        requestHeaders.first { $0.name == name }?.value
    }
}
