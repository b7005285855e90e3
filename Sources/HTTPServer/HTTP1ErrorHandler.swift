import NIOCore
import NIOHTTP1

/// Answers requests the HTTP/1.1 parser refused, then closes: 431 when the
/// headers were too large, 400 for anything else malformed. If a response
/// is already under way, the connection is only closed.
final class HTTP1ErrorHandler: ChannelDuplexHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias InboundOut = HTTPServerRequestPart
    typealias OutboundIn = HTTPServerResponsePart
    typealias OutboundOut = HTTPServerResponsePart

    private var responseInProgress = false
    private var failed = false

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        guard let parserError = error as? HTTPParserError else {
            context.fireErrorCaught(error)
            return
        }
        guard !failed else { return }
        failed = true
        if responseInProgress {
            context.close(promise: nil)
            return
        }
        let response =
            parserError == .headerOverflow
            ? ClosingResponse(status: .requestHeaderFieldsTooLarge, message: "request headers too large")
            : ClosingResponse(status: .badRequest, message: "malformed HTTP request: \(parserError)")
        response.write(context: context)
    }

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        switch unwrapOutboundIn(data) {
        case .head(let head): if !head.isInterim { responseInProgress = true }
        case .end: responseInProgress = false
        case .body: break
        }
        context.write(data, promise: promise)
    }
}

@available(*, unavailable)
extension HTTP1ErrorHandler: Sendable {}
