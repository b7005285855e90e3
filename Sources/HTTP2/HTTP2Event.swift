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
    /// A header block after the body: trailers, which always end the stream.
    case trailers(streamID: Int32, headers: [HTTP2Header])
    case data(streamID: Int32, bytes: ByteBuffer)
    /// The peer will send nothing more on the stream.
    case endOfStream(streamID: Int32)
    /// The stream is gone; `errorCode` 0 means it ended normally.
    case streamClosed(streamID: Int32, errorCode: UInt32)
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

/// Limits a server session enforces on its peers.
public struct HTTP2Settings: Hashable, Sendable {
    public var maxConcurrentStreams: UInt32 = 100
    public var initialWindowSize: UInt32 = 1 << 20
    public var maxHeaderListSize: UInt32 = 64 * 1024
    /// RST_STREAM frames a peer may cause: a burst, then this many per second.
    public var streamResetBurst: UInt64 = 1000
    public var streamResetRate: UInt64 = 33
    public var maxContinuations: Int = 8
    public var maxSettingsEntries: Int = 32
    public var maxOutboundAcks: Int = 1000

    public init() {}
}
