import NIOCore
import NIOHTTP1

/// A whole HTTP/1.1 request as it leaves the pipeline.
struct HTTP1Request: Sendable {
    var head: HTTPRequestHead
    var body: ByteBuffer
}

/// A whole HTTP/1.1 response as it enters the pipeline.
struct HTTP1Response: Sendable {
    var head: HTTPResponseHead
    var body: ByteBuffer
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
        let response = unwrapOutboundIn(data)
        context.write(wrapOutboundOut(.head(response.head)), promise: nil)
        if response.body.readableBytes > 0 {
            context.write(wrapOutboundOut(.body(.byteBuffer(response.body))), promise: nil)
        }
        context.write(wrapOutboundOut(.end(nil)), promise: promise)
    }
}

@available(*, unavailable)
extension HTTP1MessageAggregator: Sendable {}
