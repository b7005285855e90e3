public import NIOCore
public import NIOHTTP1

/// A whole response. `content-length` is set from the body when written.
public struct HTTPResponse: Sendable {
    public var status: HTTPResponseStatus
    public var headers: HTTPHeaders
    public var body: ByteBuffer

    public init(status: HTTPResponseStatus, headers: HTTPHeaders = [:], body: ByteBuffer = ByteBuffer()) {
        self.status = status
        self.headers = headers
        self.body = body
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
