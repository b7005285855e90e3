import NIOCore
import NIOHTTP1

/// A short response (plain text unless the listener's `RefusalFormat` says
/// otherwise) written from inside the pipeline, followed by
/// closing the connection: for requests refused before they reach a handler.
struct ClosingResponse {
    var status: HTTPResponseStatus
    var message: String
    /// When set, the connection stays open this long after the response
    /// (the caller discards what still arrives) before it is closed. A client
    /// still uploading would otherwise get a reset instead of our answer.
    var linger: TimeAmount? = nil
    var format: RefusalFormat = .plainText

    func write(context: ChannelHandlerContext) {
        let (contentType, body) = format.body(status, message)
        let headers: HTTPHeaders = [
            "content-type": contentType,
            "content-length": "\(body.readableBytes)",
            "connection": "close",
        ]
        let head = HTTPResponseHead(version: .http1_1, status: status, headers: headers)
        context.write(NIOAny(HTTPServerResponsePart.head(head)), promise: nil)
        context.write(NIOAny(HTTPServerResponsePart.body(.byteBuffer(body))), promise: nil)
        let linger = linger
        context.writeAndFlush(NIOAny(HTTPServerResponsePart.end(nil))).assumeIsolated().whenComplete { _ in
            if let linger {
                context.eventLoop.assumeIsolated().scheduleTask(in: linger) { context.close(promise: nil) }
            } else {
                context.close(promise: nil)
            }
        }
    }
}
