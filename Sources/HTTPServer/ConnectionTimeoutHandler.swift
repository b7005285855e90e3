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
///
/// Moving the deadline costs nothing per request: one timer stays armed, and
/// when it fires early (the deadline moved on) it re-arms for the new one.
/// It is only rescheduled when a deadline moves *earlier* than it.
final class ConnectionTimeoutHandler: ChannelDuplexHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias InboundOut = HTTPServerRequestPart
    typealias OutboundIn = HTTPServerResponsePart
    typealias OutboundOut = HTTPServerResponsePart

    private enum State { case idle, reading, handling }

    private let readTimeout: TimeAmount
    private let idleTimeout: TimeAmount
    private var state = State.idle
    /// When the connection is closed unless something happens; nil while a
    /// handler works.
    private var deadline: NIODeadline?
    private var timer: (task: Scheduled<Void>, fires: NIODeadline)?
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
        timer?.task.cancel()
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
            deadline = nil
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
        let deadline = context.eventLoop.now + timeout
        self.deadline = deadline
        if let timer, timer.fires <= deadline { return }
        schedule(at: deadline, context: context)
    }

    private func schedule(at fires: NIODeadline, context: ChannelHandlerContext) {
        timer?.task.cancel()
        let task = context.eventLoop.assumeIsolated().scheduleTask(deadline: fires) {
            self.timer = nil
            guard let deadline = self.deadline else { return }
            if deadline <= context.eventLoop.now {
                context.close(promise: nil)
            } else {
                self.schedule(at: deadline, context: context)
            }
        }
        timer = (task, fires)
    }

    func channelInactive(context: ChannelHandlerContext) {
        timer?.task.cancel()
        context.fireChannelInactive()
    }
}

@available(*, unavailable)
extension ConnectionTimeoutHandler: Sendable {}
