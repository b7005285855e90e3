import NIOCore

/// A header field of an HTTP/2 message, pseudo-headers (`:path`) included.
public struct HTTP2Header: Hashable, Sendable {
    public var name: String
    public var value: String

    public init(_ name: String, _ value: String) {
        self.name = name
        self.value = value
    }
}

/// Something the peer did, recorded while nghttp2 parsed its bytes and
/// delivered only after parsing returned.
enum HTTP2Event {
    /// A request's header block; `endStream` when it has no body.
    case request(streamID: Int32, headers: [HTTP2Header], endStream: Bool)
    /// A request's header block larger than SETTINGS_MAX_HEADER_LIST_SIZE:
    /// read to its end (HPACK state must stay in step) but not kept.
    case headerListTooLarge(streamID: Int32, size: Int)
    /// A response's header block (client sessions); interim (1xx) ones too.
    case response(streamID: Int32, headers: [HTTP2Header])
    /// A header block after the body: trailers, which always end the stream.
    /// On a client, also the final response that follows an interim one.
    case trailers(streamID: Int32, headers: [HTTP2Header])
    case data(streamID: Int32, bytes: ByteBuffer)
    /// The peer will send nothing more on the stream.
    case endOfStream(streamID: Int32)
    /// The stream is gone; `errorCode` 0 means it ended normally.
    case streamClosed(streamID: Int32, errorCode: UInt32)
    /// The peer will open or process no stream above `lastStreamID`.
    case goAway(lastStreamID: Int32, errorCode: UInt32)
    /// nghttp2 refused a frame of the peer's, such as a response without
    /// `:status`; the stream is reset, and this says why.
    case invalidFrame(streamID: Int32, reason: String)
}

/// HTTP/2 error codes (RFC 9113 §7) this project names.
public enum HTTP2ErrorCode {
    public static let noError: UInt32 = 0
    public static let protocolError: UInt32 = 1
    public static let internalError: UInt32 = 2
    public static let refusedStream: UInt32 = 7
    public static let cancel: UInt32 = 8
    public static let enhanceYourCalm: UInt32 = 11
}

/// A connection-level failure: the session is over and the connection
/// should be closed once what nghttp2 queued (GOAWAY) has been sent.
public struct HTTP2Error: Error, Hashable, Sendable, CustomStringConvertible {
    public var code: Int32
    public var message: String
    public var description: String { "HTTP/2: \(message) (\(code))" }
}

/// An answer given out of order on one stream: body bytes before the
/// response headers or after the response ended, or a second response.
/// Thrown to the caller, so a mistake is never a silent loss of bytes.
public struct HTTP2ResponseError: Error, Hashable, Sendable, CustomStringConvertible {
    public enum Problem: Hashable, Sendable {
        /// Body bytes for a stream whose response headers were not sent.
        case notStarted
        /// Body bytes after the response ended, or after headers that ended it.
        case alreadyComplete
        /// A second response on a stream that has one.
        case alreadyStarted
        /// nghttp2 refused the response (the stream is closed or unknown to it).
        case refused
        /// Called while nghttp2 was parsing a read: acting then would
        /// re-enter the session, so the call fails instead.
        case duringRead
    }

    public var streamID: Int32
    public var problem: Problem

    public var description: String {
        switch problem {
        case .notStarted: "stream \(streamID): body bytes before the response headers"
        case .alreadyComplete: "stream \(streamID): body bytes after the response was complete"
        case .alreadyStarted: "stream \(streamID): a second response"
        case .refused: "stream \(streamID): the response was refused by the HTTP/2 session"
        case .duringRead: "stream \(streamID): answered from inside the parsing of a read, which would re-enter nghttp2"
        }
    }
}

/// Limits a server session enforces on its peers.
public struct HTTP2Settings: Hashable, Sendable {
    public var maxConcurrentStreams: UInt32 = 100
    /// At most 2^31-1 (RFC 9113 §6.5.2): a larger value fails the session.
    /// The connection window is four times this, capped at 2^31-1.
    public var initialWindowSize: UInt32 = 1 << 20
    /// Advertised as SETTINGS_MAX_HEADER_LIST_SIZE and enforced: a request
    /// over it is answered 431, trailers over it reset the stream.
    public var maxHeaderListSize: UInt32 = 64 * 1024
    /// RST_STREAM frames a peer may cause: a burst, then this many per second.
    public var streamResetBurst: UInt64 = 1000
    public var streamResetRate: UInt64 = 33
    public var maxContinuations: Int = 8
    public var maxSettingsEntries: Int = 32
    public var maxOutboundAcks: Int = 1000

    public init() {}
}
