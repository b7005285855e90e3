import NIOCore
import NIOHTTP1

/// Once an exchange says the connection ends — the request or its response
/// carries `connection: close`, or is HTTP/1.0 without keep-alive — nothing
/// more is read from the connection (RFC 9112 §9.6): bytes that follow are
/// neither served nor answered with an error.
///
/// It sits after `HTTPServerPipelineHandler`, which holds back what arrives
/// while a response is pending and releases it when the response ends; by
/// then the gate knows the exchange closed the connection and drops it.
final class ClosingExchangeGate: ChannelDuplexHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias InboundOut = HTTPServerRequestPart
    typealias OutboundIn = HTTPServerResponsePart
    typealias OutboundOut = HTTPServerResponsePart

    private var requestAsksToClose = false
    private var closing = false

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        guard !closing else { return }
        switch unwrapInboundIn(data) {
        case .head(let head):
            requestAsksToClose = !head.isKeepAlive
            context.fireChannelRead(data)
        case .body:
            context.fireChannelRead(data)
        case .end:
            context.fireChannelRead(data)
            if requestAsksToClose { closing = true }
        }
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        if closing, error is HTTPParserError { return }
        context.fireErrorCaught(error)
    }

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        if case .head(let head) = unwrapOutboundIn(data), !head.isInterim, !head.isKeepAlive {
            closing = true
        }
        context.write(data, promise: promise)
    }
}

@available(*, unavailable)
extension ClosingExchangeGate: Sendable {}
