public import HTTP2

/// How a call ended, as its client sees it.
public struct GRPCCallResult: Sendable {
    public var status: GRPCStatus
    /// The trailers, or the whole header block of a trailers-only response.
    public var trailers: [HTTP2Header]
}
