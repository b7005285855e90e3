import NIOCore
import NIOHTTP1

/// Closes connections whose clients are too slow or gone quiet.
///
/// * Between requests, a keep-alive connection may stay idle for
///   `idleTimeout`.
/// * Once bytes of a request have arrived, the whole request (headers and
///   body) must arrive within `readTimeout`, which stops clients that trickle
///   headers or bodies a byte at a time from holding a connection forever.
/// * While a handler works on a request no timer runs: handlers bound their
///   own work.
///
/// `channelReadComplete` reaches this handler for every read from the socket,
/// even one that completes no HTTP message, which is how a request that has
/// started but not yet produced its head is noticed.
final class ConnectionTimeoutHandler: ChannelDuplexHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias InboundOut = HTTPServerRequestPart
    typealias OutboundIn = HTTPServerResponsePart
    typealias OutboundOut = HTTPServerResponsePart

    private enum State { case idle, reading, handling }

    private let readTimeout: TimeAmount
    private let idleTimeout: TimeAmount
    private var state = State.idle
    private var timer: Scheduled<Void>?
    /// Requests read whose responses have not been completely written.
    private var outstanding = 0

    init(readTimeout: TimeAmount, idleTimeout: TimeAmount) {
        self.readTimeout = readTimeout
        self.idleTimeout = idleTimeout
    }

    func handlerAdded(context: ChannelHandlerContext) {
        arm(idleTimeout, context: context)
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        timer?.cancel()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head:
            outstanding += 1
            startReading(context: context)
        case .body:
            break
        case .end:
            state = .handling
            timer?.cancel()
        }
        context.fireChannelRead(data)
    }

    func channelReadComplete(context: ChannelHandlerContext) {
        if state == .idle { startReading(context: context) }
        context.fireChannelReadComplete()
    }

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        if case .end = unwrapOutboundIn(data) {
            outstanding -= 1
            if outstanding <= 0, state == .handling {
                outstanding = 0
                state = .idle
                arm(idleTimeout, context: context)
            }
        }
        context.write(data, promise: promise)
    }

    private func startReading(context: ChannelHandlerContext) {
        guard state != .reading else { return }
        state = .reading
        arm(readTimeout, context: context)
    }

    private func arm(_ timeout: TimeAmount, context: ChannelHandlerContext) {
        timer?.cancel()
        timer = context.eventLoop.assumeIsolated().scheduleTask(in: timeout) {
            context.close(promise: nil)
        }
    }

    func channelInactive(context: ChannelHandlerContext) {
        timer?.cancel()
        context.fireChannelInactive()
    }
}

@available(*, unavailable)
extension ConnectionTimeoutHandler: Sendable {}
