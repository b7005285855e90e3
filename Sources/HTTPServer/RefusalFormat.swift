public import NIOCore
public import NIOHTTP1

/// How a listener words the answers it gives on its own, before a request
/// reaches a route: 413 for a body over the limit, 400 for a malformed
/// request, 431 for headers too large. Plain text by default; a server
/// whose clients expect something else (an API server's `Status` objects)
/// gives its own.
public struct RefusalFormat: Hashable, Sendable {
    /// Names the format: formats compare by name.
    public let name: String
    private let render: @Sendable (HTTPResponseStatus, String) -> (contentType: String, body: ByteBuffer)

    public init(
        name: String,
        render: @escaping @Sendable (HTTPResponseStatus, String) -> (contentType: String, body: ByteBuffer)
    ) {
        self.name = name
        self.render = render
    }

    /// `message` and a newline, as `text/plain`.
    public static let plainText = RefusalFormat(name: "text/plain") { _, message in
        ("text/plain; charset=utf-8", ByteBuffer(string: message + "\n"))
    }

    public func body(_ status: HTTPResponseStatus, _ message: String) -> (contentType: String, body: ByteBuffer) {
        render(status, message)
    }

    /// The refusal as a whole response, for paths that answer through the router's types.
    public func response(_ status: HTTPResponseStatus, _ message: String) -> HTTPResponse {
        let (contentType, body) = render(status, message)
        return .bytes(status, contentType: contentType, body)
    }

    public static func == (lhs: RefusalFormat, rhs: RefusalFormat) -> Bool { lhs.name == rhs.name }
    public func hash(into hasher: inout Hasher) { hasher.combine(name) }
}
