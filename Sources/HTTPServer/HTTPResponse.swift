public import NIOCore
public import NIOHTTP1

/// A response: whole (`content-length` is set from the body when written),
/// or streamed, its body written piece by piece as it is produced (a watch),
/// chunked on HTTP/1.1 and as DATA frames on HTTP/2.
public struct HTTPResponse: Sendable {
    public typealias BodyProducer = @Sendable (any HTTPBodyWriter) async throws -> Void

    public var status: HTTPResponseStatus
    public var headers: HTTPHeaders
    public var body: ByteBuffer
    /// When set, the body comes from here instead of `body`.
    public var producer: BodyProducer?

    public init(status: HTTPResponseStatus, headers: HTTPHeaders = [:], body: ByteBuffer = ByteBuffer()) {
        self.status = status
        self.headers = headers
        self.body = body
    }

    /// A response whose body `producer` writes as it goes; it ends when the
    /// producer returns (or throws), or the client goes away (writes throw).
    public static func streaming(
        _ status: HTTPResponseStatus,
        headers: HTTPHeaders = [:],
        _ producer: @escaping BodyProducer
    ) -> HTTPResponse {
        var response = HTTPResponse(status: status, headers: headers)
        response.producer = producer
        return response
    }

    /// A `text/plain` response; a trailing newline is added as curl users expect.
    public static func text(_ status: HTTPResponseStatus, _ text: String) -> HTTPResponse {
        HTTPResponse(
            status: status,
            headers: ["content-type": "text/plain; charset=utf-8"],
            body: ByteBuffer(string: text.hasSuffix("\n") ? text : text + "\n"))
    }

    /// A response with the given content type and bytes.
    public static func bytes(_ status: HTTPResponseStatus, contentType: String, _ body: ByteBuffer) -> HTTPResponse {
        HTTPResponse(status: status, headers: ["content-type": contentType], body: body)
    }
}

/// Writes the pieces of a streamed response body; each is sent at once.
public protocol HTTPBodyWriter: Sendable {
    func write(_ bytes: ByteBuffer) async throws
}

extension HTTPResponse {
    /// Whether the handler asked for the connection to end after this response.
    var asksToClose: Bool {
        headers["connection"].contains { value in
            value.split(separator: ",").contains { $0.filter { $0 != " " && $0 != "\t" }.lowercased() == "close" }
        }
    }
}
