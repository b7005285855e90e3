public import NIOCore
import NIOTLS

/// What a completed handshake agreed on.
public struct TLSHandshakeInfo: Sendable, Hashable {
    public var protocolVersion: String
    public var negotiatedProtocol: String?
    public var peerCertificate: CertificateInfo?
}

/// A NIO channel handler that speaks TLS through OpenSSL, in either role.
///
/// Ciphertext in, plaintext out; plaintext in, ciphertext out. The handler is
/// a small state machine around `TLSConnection` and makes no C calls itself.
/// Writes made before the handshake completes are held and sent after it.
/// When it completes, `TLSUserEvent.handshakeCompleted` is fired so that
/// ALPN-driven pipeline set-up (NIO's negotiation handlers) works unchanged.
public final class TLSHandler: ChannelDuplexHandler, RemovableChannelHandler {
    public typealias InboundIn = ByteBuffer
    public typealias InboundOut = ByteBuffer
    public typealias OutboundIn = ByteBuffer
    public typealias OutboundOut = ByteBuffer

    private enum State { case idle, handshaking, active, closed }

    private let context: TLSContext
    private let serverName: String?
    private let handshakeTimeout: TimeAmount?
    private var connection: TLSConnection?
    private var state = State.idle
    private var pendingWrites = PendingWrites()
    private var flushRequested = false
    private var timeoutTask: Scheduled<Void>?

    /// Set once the handshake has completed.
    public private(set) var handshakeInfo: TLSHandshakeInfo?

    /// - Parameters:
    ///   - serverName: client only: the name to send as SNI and to verify.
    ///   - handshakeTimeout: the connection is closed if the handshake has
    ///     not completed this long after the channel became active.
    public init(context: TLSContext, serverName: String? = nil, handshakeTimeout: TimeAmount? = nil) {
        self.context = context
        self.serverName = serverName
        self.handshakeTimeout = handshakeTimeout
    }

    public func handlerAdded(context: ChannelHandlerContext) {
        if context.channel.isActive { start(context: context) }
    }

    public func channelActive(context: ChannelHandlerContext) {
        start(context: context)
        context.fireChannelActive()
    }

    private func start(context: ChannelHandlerContext) {
        guard case .idle = state else { return }
        do {
            connection = try TLSConnection(context: self.context, serverName: serverName)
        } catch {
            fail(error, context: context)
            return
        }
        state = .handshaking
        if let handshakeTimeout {
            timeoutTask = context.eventLoop.assumeIsolated().scheduleTask(in: handshakeTimeout) {
                guard case .handshaking = self.state else { return }
                self.fail(
                    TLSError(.handshakeTimeout, "no completed handshake within \(handshakeTimeout)"), context: context)
            }
        }
        if self.context.role == .client { driveHandshake(context: context) }
    }

    public func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        guard let connection else { return }
        connection.receive(unwrapInboundIn(data))
        switch state {
        case .handshaking: driveHandshake(context: context)
        case .active: readPlaintext(context: context)
        case .idle, .closed: break
        }
    }

    private func driveHandshake(context: ChannelHandlerContext) {
        guard let connection else { return }
        let result = connection.handshake()
        sendOutput(context: context, promise: nil, flush: true)
        switch result {
        case .incomplete:
            return
        case .failed(let error):
            fail(error, context: context)
        case .complete:
            state = .active
            timeoutTask?.cancel()
            timeoutTask = nil
            let info = TLSHandshakeInfo(
                protocolVersion: connection.protocolVersion,
                negotiatedProtocol: connection.negotiatedProtocol,
                peerCertificate: connection.peerCertificate
            )
            handshakeInfo = info
            context.fireUserInboundEventTriggered(
                TLSUserEvent.handshakeCompleted(negotiatedProtocol: info.negotiatedProtocol))
            if flushRequested { encryptPendingWrites(context: context) }
            // Application data may have arrived in the same read as Finished.
            readPlaintext(context: context)
        }
    }

    private func readPlaintext(context: ChannelHandlerContext) {
        guard let connection else { return }
        var plaintext = context.channel.allocator.buffer(capacity: 0)
        let result = connection.read(into: &plaintext)
        // Reading can produce records to send: alerts, key updates.
        sendOutput(context: context, promise: nil, flush: true)
        if plaintext.readableBytes > 0 {
            context.fireChannelRead(wrapInboundOut(plaintext))
        }
        switch result {
        case .needMoreInput: break
        case .closeNotify: context.close(promise: nil)
        case .failed(let error): fail(error, context: context)
        }
    }

    public func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        guard state != .closed else {
            promise?.fail(ChannelError.ioOnClosedChannel)
            return
        }
        pendingWrites.append(unwrapOutboundIn(data), promise: promise)
    }

    public func flush(context: ChannelHandlerContext) {
        flushRequested = true
        if case .active = state { encryptPendingWrites(context: context) }
    }

    private func encryptPendingWrites(context: ChannelHandlerContext) {
        guard let connection else { return }
        flushRequested = false
        let (plaintext, promise) = pendingWrites.take(
            allocator: context.channel.allocator, eventLoop: context.eventLoop)
        guard let plaintext else { return }
        if let error = connection.write(plaintext) {
            promise?.fail(error)
            fail(error, context: context)
            return
        }
        sendOutput(context: context, promise: promise, flush: true)
    }

    public func close(context: ChannelHandlerContext, mode: CloseMode, promise: EventLoopPromise<Void>?) {
        if mode == .all, case .active = state, let connection {
            if flushRequested || !pendingWrites.isEmpty { encryptPendingWrites(context: context) }
            connection.shutdown()
            sendOutput(context: context, promise: nil, flush: true)
            state = .closed
        }
        context.close(mode: mode, promise: promise)
    }

    public func channelInactive(context: ChannelHandlerContext) {
        if case .handshaking = state {
            fail(TLSError(.unexpectedEOF, "connection closed during the handshake"), context: context)
        }
        state = .closed
        timeoutTask?.cancel()
        pendingWrites.failAll(ChannelError.ioOnClosedChannel)
        context.fireChannelInactive()
    }

    public func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if case ChannelEvent.inputClosed = event, case .handshaking = state {
            fail(TLSError(.unexpectedEOF, "connection half-closed during the handshake"), context: context)
        }
        context.fireUserInboundEventTriggered(event)
    }

    private func sendOutput(context: ChannelHandlerContext, promise: EventLoopPromise<Void>?, flush: Bool) {
        guard let output = connection?.takeOutput(allocator: context.channel.allocator) else {
            promise?.succeed()
            return
        }
        context.write(wrapOutboundOut(output), promise: promise)
        if flush { context.flush() }
    }

    /// Sends any alert OpenSSL queued, reports the error once, and closes.
    private func fail(_ error: any Error, context: ChannelHandlerContext) {
        guard state != .closed else { return }
        state = .closed
        timeoutTask?.cancel()
        sendOutput(context: context, promise: nil, flush: true)
        pendingWrites.failAll(error)
        context.fireErrorCaught(error)
        context.close(promise: nil)
    }
}

@available(*, unavailable)
extension TLSHandler: Sendable {}
