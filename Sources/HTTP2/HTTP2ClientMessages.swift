public import NIOCore

/// What the client handler accepts from the pipeline: a request to open a
/// stream for, or the cancellation of one (its caller gave up waiting).
public enum HTTP2ClientOutbound: Sendable {
    /// `headers` carry the pseudo-headers first (`:method`, `:scheme`,
    /// `:authority`, `:path`); `token` names the call for `cancel`.
    case request(
        headers: [HTTP2Header], body: ByteBuffer, token: UInt64, promise: EventLoopPromise<HTTP2ClientResponse>)
    case cancel(token: UInt64)
}

/// A whole response: its final status, header fields without the
/// pseudo-headers, body and trailers.
public struct HTTP2ClientResponse: Sendable {
    public var status: Int
    public var headers: [HTTP2Header]
    public var body: ByteBuffer
    public var trailers: [HTTP2Header]
}

/// Why a request on an HTTP/2 connection got no response.
public struct HTTP2ClientError: Error, Hashable, Sendable, CustomStringConvertible {
    public enum Problem: Hashable, Sendable {
        /// The connection was closed or going away before the request was
        /// submitted: no byte of it left, so it may go out elsewhere.
        case notSent
        /// The server's GOAWAY named a last stream below this one: the
        /// server says it did not process the request.
        case goAway(errorCode: UInt32)
        /// The stream was reset (by the server, or by nghttp2 for a
        /// protocol error) before the response was complete.
        case reset(errorCode: UInt32)
        /// The response broke HTTP/2's rules, such as a missing `:status`.
        case malformedResponse(String)
        /// The connection ended with the response unfinished.
        case connectionClosed
        /// The caller cancelled; the stream was reset with CANCEL.
        case cancelled
    }

    public var streamID: Int32?
    public var problem: Problem

    public init(streamID: Int32?, problem: Problem) {
        self.streamID = streamID
        self.problem = problem
    }

    public var description: String {
        let stream = streamID.map { "HTTP/2 stream \($0)" } ?? "HTTP/2 request"
        return switch problem {
        case .notSent: "\(stream): the connection was closing, the request was not sent"
        case .goAway(let code): "\(stream): the server sent GOAWAY (error \(code)) without processing the request"
        case .reset(let code): "\(stream): reset (error \(code)) before the response was complete"
        case .malformedResponse(let why): "\(stream): malformed response: \(why)"
        case .connectionClosed: "\(stream): the connection closed before the response was complete"
        case .cancelled: "\(stream): cancelled by the caller"
        }
    }
}
