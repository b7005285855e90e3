import NIOCore
import NIOHTTP1

/// Lets shutdown close an idle keep-alive connection without racing a
/// request its client is sending at that moment.
///
/// NIO's `HTTPServerPipelineHandler` closes a connection at once when asked
/// to quiesce between requests. A client that wrote its next request in the
/// same instant then sees the connection reset with no answer, and may not
/// retry it (a POST, an admission review). So this handler, placed before
/// it, holds the quiesce event of an idle connection for `drainWindow`: a
/// request that arrives in the window is passed on together with the event,
/// so it is answered with `connection: close` and the connection closes
/// after the answer; a connection still idle when the window ends is closed.
/// A connection with a request in progress hands the event on at once.
final class KeepAliveDrainHandler: ChannelDuplexHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias InboundOut = HTTPServerRequestPart
    typealias OutboundIn = HTTPServerResponsePart
    typealias OutboundOut = HTTPServerResponsePart

    private enum Drain {
        case serving
        /// Quiesce was asked while idle; closes when the timer fires.
        case waitingForRequest(Scheduled<Void>)
        /// `HTTPServerPipelineHandler` has the event and closes after the answer.
        case handedOver
    }

    private let drainWindow: TimeAmount
    private var drain = Drain.serving
    /// Request heads read whose responses have not ended.
    private var unanswered = 0

    init(drainWindow: TimeAmount) {
        self.drainWindow = drainWindow
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        guard case .head = unwrapInboundIn(data) else {
            context.fireChannelRead(data)
            return
        }
        unanswered += 1
        context.fireChannelRead(data)
        if case .waitingForRequest(let timer) = drain {
            timer.cancel()
            drain = .handedOver
            context.fireUserInboundEventTriggered(ChannelShouldQuiesceEvent())
        }
    }

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        if case .end = unwrapOutboundIn(data) {
            // A refusal written before any head was read (a parser error) ends nothing we counted.
            unanswered = max(0, unanswered - 1)
        }
        context.write(data, promise: promise)
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        guard event is ChannelShouldQuiesceEvent else {
            context.fireUserInboundEventTriggered(event)
            return
        }
        guard case .serving = drain else { return }
        if unanswered > 0 {
            drain = .handedOver
            context.fireUserInboundEventTriggered(event)
            return
        }
        let timer = context.eventLoop.assumeIsolated().scheduleTask(in: drainWindow) {
            context.close(promise: nil)
        }
        drain = .waitingForRequest(timer)
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        if case .waitingForRequest(let timer) = drain { timer.cancel() }
    }
}

@available(*, unavailable)
extension KeepAliveDrainHandler: Sendable {}
