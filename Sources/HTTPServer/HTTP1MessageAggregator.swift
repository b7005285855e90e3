import NIOCore
import NIOHTTP1

/// A whole HTTP/1.1 request as it leaves the pipeline.
struct HTTP1Request: Sendable {
    var head: HTTPRequestHead
    var body: ByteBuffer
}

/// A response as it enters the pipeline: whole, or in parts when streamed.
enum HTTP1Response: Sendable {
    case whole(HTTPResponseHead, ByteBuffer)
    case head(HTTPResponseHead)
    case body(ByteBuffer)
    case end
}

/// Joins a request's head, body parts and end into one message, and splits
/// a response back into parts.
///
/// Handlers take whole requests and give whole responses, so the request
/// loop crosses from the event loop into async code once per request and
/// back once per response, rather than once per part. Body size is bounded
/// before this handler (RequestLimitsHandler), so aggregation is safe.
final class HTTP1MessageAggregator: ChannelDuplexHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias InboundOut = HTTP1Request
    typealias OutboundIn = HTTP1Response
    typealias OutboundOut = HTTPServerResponsePart

    private var head: HTTPRequestHead?
    private var body = ByteBuffer()

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head(let head):
            self.head = head
            body = ByteBuffer()
        case .body(var chunk):
            if body.readableBytes == 0 { body = chunk } else { body.writeBuffer(&chunk) }
        case .end:
            guard let head else { return }
            self.head = nil
            context.fireChannelRead(wrapInboundOut(HTTP1Request(head: head, body: body)))
            body = ByteBuffer()
        }
    }

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        switch unwrapOutboundIn(data) {
        case .whole(let head, let body):
            context.write(wrapOutboundOut(.head(head)), promise: nil)
            if body.readableBytes > 0 {
                context.write(wrapOutboundOut(.body(.byteBuffer(body))), promise: nil)
            }
            context.write(wrapOutboundOut(.end(nil)), promise: promise)
        case .head(let head):
            context.write(wrapOutboundOut(.head(head)), promise: promise)
        case .body(let body):
            context.write(wrapOutboundOut(.body(.byteBuffer(body))), promise: promise)
        case .end:
            context.write(wrapOutboundOut(.end(nil)), promise: promise)
        }
    }
}

@available(*, unavailable)
extension HTTP1MessageAggregator: Sendable {}
