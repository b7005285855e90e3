public import NIOCore
public import NIOHTTP1

/// A whole request as a handler sees it, whatever protocol carried it.
public struct HTTPRequest: Sendable {
    public var method: HTTPMethod
    /// The path without the query, such as `/mutate`.
    public var path: String
    /// The raw query after `?`, if any.
    public var query: String?
    public var headers: HTTPHeaders
    public var body: ByteBuffer
    public var connection: ConnectionInfo
    /// The protocol that carried the request: HTTP/1.x or HTTP/2.
    public var version: HTTPVersion

    public init(
        method: HTTPMethod,
        uri: String,
        headers: HTTPHeaders = [:],
        body: ByteBuffer = ByteBuffer(),
        connection: ConnectionInfo = ConnectionInfo(),
        version: HTTPVersion = .http1_1
    ) {
        self.method = method
        if let mark = uri.firstIndex(of: "?") {
            path = String(uri[..<mark])
            query = String(uri[uri.index(after: mark)...])
        } else {
            path = uri
            query = nil
        }
        self.headers = headers
        self.body = body
        self.connection = connection
        self.version = version
    }

    /// Whether the query names `key`, with or without a value (`?verbose`).
    public func queryContains(_ key: String) -> Bool {
        guard let query else { return false }
        return query.split(separator: "&").contains { $0 == key || $0.hasPrefix(key + "=") }
    }
}

/// Who is on the other end of the connection.
public struct ConnectionInfo: Sendable {
    public var remoteAddress: SocketAddress?

    public init(remoteAddress: SocketAddress? = nil) {
        self.remoteAddress = remoteAddress
    }
}
