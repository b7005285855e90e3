import Logging
import NIOCore
import NIOHTTP1

/// HTTP/1.1 on one connection, in one channel handler after TLS: the bytes
/// in go to `HTTP1ConnectionStateMachine`, which decides; this handler only
/// carries out what it says — buffers the request, runs the route, writes
/// each answer as one buffer (one TLS record, one write), arms the timers,
/// and holds socket reads while an answer is pending (pipelined requests
/// wait in the buffer, in order).
final class HTTP1ServerHandler: ChannelDuplexHandler, RemovableChannelHandler {
    typealias InboundIn = ByteBuffer
    typealias OutboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    private var machine: HTTP1ConnectionStateMachine
    private let router: Router
    private let metrics: ServerMetrics
    private let logger: Logger
    private let refusalFormat: RefusalFormat
    private var context: ChannelHandlerContext?
    private var connection = ConnectionInfo()
    /// Bytes read and not yet consumed by the state machine.
    private var input = ByteBuffer()
    /// The request being read: its head and the body so far.
    private var request: (head: HTTP1RequestHead, body: ByteBuffer)?
    /// A socket read asked for while an answer was pending.
    private var readHeld = false
    private var timer: Scheduled<Void>?
    /// When the scheduled task fires.
    private var timerFiresAt: NIODeadline?
    /// The timer the state machine wants now, and when it is due.
    private var wanted: (kind: HTTP1ConnectionStateMachine.Timer, generation: Int, deadline: NIODeadline)?
    /// A streamed body being produced, cancelled if the connection closes.
    private var producing: Task<Void, Never>?
    private var processing = false

    init(
        configuration: HTTP1ConnectionStateMachine.Configuration, refusalFormat: RefusalFormat, router: Router,
        metrics: ServerMetrics, logger: Logger
    ) {
        machine = HTTP1ConnectionStateMachine(configuration: configuration)
        self.refusalFormat = refusalFormat
        self.router = router
        self.metrics = metrics
        self.logger = logger
    }

    func handlerAdded(context: ChannelHandlerContext) {
        self.context = context
        connection = ConnectionInfo(remoteAddress: context.channel.remoteAddress)
        input = context.channel.allocator.buffer(capacity: 0)
        machine.start()
        armTimer(context: context)
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        timer?.cancel()
        producing?.cancel()
        self.context = nil
    }

    func channelInactive(context: ChannelHandlerContext) {
        timer?.cancel()
        producing?.cancel()
        context.fireChannelInactive()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        var bytes = unwrapInboundIn(data)
        if input.readableBytes == 0 {
            input = bytes
        } else {
            input.writeBuffer(&bytes)
        }
        process(context: context)
    }

    /// Socket reads wait while an answer is pending and bytes of a next
    /// request are already waiting: back-pressure for pipelining clients.
    /// Reading on while answering costs nothing, and stopping and restarting
    /// reads would cost two epoll_ctl calls on every request.
    func read(context: ChannelHandlerContext) {
        if machine.isAnswering, input.readableBytes > 0 {
            readHeld = true
        } else {
            context.read()
        }
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        guard event is ChannelShouldQuiesceEvent else {
            context.fireUserInboundEventTriggered(event)
            return
        }
        _ = machine.quiesce()
        armTimer(context: context)
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        logger.debug("connection failed", metadata: ["error": "\(error)"])
        context.close(promise: nil)
    }

    // MARK: - Reading

    /// Runs the state machine over the bytes waiting until it needs more, pauses or refuses.
    private func process(context: ChannelHandlerContext) {
        guard !processing else { return }
        processing = true
        defer { processing = false }
        reading: while true {
            let action = machine.read(input.readableBytesUInt8Span)
            switch action {
            case .consume(let count), .discard(let count):
                input.moveReaderIndex(forwardBy: count)
            case .head(let head, let consumed, let sendContinue):
                input.moveReaderIndex(forwardBy: consumed)
                request = (head, ByteBuffer())
                if sendContinue {
                    context.writeAndFlush(
                        wrapOutboundOut(ByteBuffer(string: "HTTP/1.1 100 Continue\r\n\r\n")), promise: nil)
                }
            case .body(let range, let consumed):
                let slice = input.getSlice(at: input.readerIndex + range.lowerBound, length: range.count)!
                if request!.body.readableBytes == 0, request!.head.framing == .length(range.count) {
                    // The whole body in one read: kept where it is, not copied.
                    request!.body = slice
                } else {
                    // Bodies in pieces are gathered, in one allocation when the length is known.
                    if request!.body.capacity == 0, case .length(let length) = request!.head.framing {
                        request!.body.reserveCapacity(length)
                    }
                    request!.body.writeImmutableBuffer(slice)
                }
                input.moveReaderIndex(forwardBy: consumed)
            case .dispatch(let consumed):
                input.moveReaderIndex(forwardBy: consumed)
                armTimer(context: context)
                // Answered at once (a route that never waits): read on.
                if !dispatch(context: context) { break reading }
            case .waitForBytes, .pause:
                break reading
            case .refuse(let error):
                refuse(error, context: context)
                break reading
            }
        }
        armTimer(context: context)
        if input.readableBytes == 0 { input.clear() } else if input.readerIndex > 64 * 1024 { input.discardReadBytes() }
    }

    // MARK: - Answering

    /// Hands the request read to its route; true when it was answered already.
    private func dispatch(context: ChannelHandlerContext) -> Bool {
        guard let (head, body) = request else { return true }
        request = nil
        var uri = head.target
        var headers = HTTPHeaders(head.fields.map { ($0.name, $0.value) })
        if let absolute = AbsoluteFormTarget(uri) {
            uri = absolute.originForm
            headers.replaceOrAdd(name: "host", value: absolute.authority)
        }
        let version = HTTPVersion(major: 1, minor: head.minorVersion)
        let routed = HTTPRequest(
            method: HTTPMethod(rawValue: head.method), uri: uri, headers: headers, body: body,
            connection: connection, version: version)
        let started = ContinuousClock.now
        if let response = router.synchronousAnswer(to: routed) {
            answer(response, to: routed, started: started, context: context)
            return !machine.isAnswering
        }
        let router = router
        let logger = logger
        let eventLoop = context.eventLoop
        let bound = NIOLoopBound((self, context), eventLoop: eventLoop)
        Task(executorPreference: EventLoopTaskExecutor(eventLoop)) {
            let response = await router.respond(to: routed, logger: logger)
            eventLoop.execute {
                let (handler, context) = bound.value
                handler.answer(response, to: routed, started: started, context: context)
            }
        }
        return false
    }

    private func answer(
        _ response: HTTPResponse, to request: HTTPRequest, started: ContinuousClock.Instant,
        context: ChannelHandlerContext
    ) {
        guard self.context != nil, context.channel.isActive else { return }
        guard Self.headersAreValid(response.headers) else {
            // A CR or LF in a field would let a handler's input split the response.
            logger.error(
                "refusing to send a response with an invalid header field", metadata: ["path": "\(request.path)"])
            context.close(promise: nil)
            return
        }
        let close = machine.responseClosesConnection(handlerAsksToClose: response.asksToClose)
        let isHead = request.method == .HEAD
        if let producer = response.producer, !isHead {
            stream(producer, response, to: request, started: started, close: close, context: context)
            return
        }
        var head = response.headers
        if close { head.replaceOrAdd(name: "connection", value: "close") }
        if !isHead, !Self.hasNoBody(response.status) {
            head.replaceOrAdd(name: "content-length", value: "\(response.body.readableBytes)")
        }
        var buffer = context.channel.allocator.buffer(capacity: 256 + response.body.readableBytes)
        Self.writeHead(status: response.status, version: request.version, headers: head, into: &buffer)
        if !isHead { buffer.writeImmutableBuffer(response.body) }
        recordCompleted(request, response.status, started: started)
        finishAnswer(with: buffer, context: context)
    }

    private func recordCompleted(_ request: HTTPRequest, _ status: HTTPResponseStatus, started: ContinuousClock.Instant)
    {
        metrics.requestCompleted(
            route: router.routeLabel(for: request.path), method: request.method, status: status,
            duration: ContinuousClock.now - started)
    }

    /// Writes the last bytes of an answer, then reads on or closes.
    private func finishAnswer(with buffer: ByteBuffer, context: ChannelHandlerContext) {
        let written = context.writeAndFlush(wrapOutboundOut(buffer))
        switch machine.responseEnded() {
        case .close:
            written.assumeIsolated().whenComplete { _ in context.close(promise: nil) }
            armTimer(context: context)
        case .readNext:
            armTimer(context: context)
            process(context: context)
            if readHeld, !machine.isAnswering {
                readHeld = false
                context.read()
            }
        }
    }

    /// A body written as it is produced: chunked on HTTP/1.1, up to the
    /// connection's close on HTTP/1.0. The producer is cancelled if the
    /// connection closes.
    private func stream(
        _ producer: @escaping HTTPResponse.BodyProducer, _ response: HTTPResponse, to request: HTTPRequest,
        started: ContinuousClock.Instant, close: Bool, context: ChannelHandlerContext
    ) {
        let version = request.version
        let chunked = version.minor >= 1
        let status = response.status
        var head = response.headers
        head.remove(name: "content-length")
        if chunked { head.replaceOrAdd(name: "transfer-encoding", value: "chunked") }
        if close || !chunked { head.replaceOrAdd(name: "connection", value: "close") }
        var buffer = context.channel.allocator.buffer(capacity: 256)
        Self.writeHead(status: response.status, version: version, headers: head, into: &buffer)
        context.writeAndFlush(wrapOutboundOut(buffer), promise: nil)
        let writer = HTTP1ChunkWriter(channel: context.channel, chunked: chunked)
        let eventLoop = context.eventLoop
        let bound = NIOLoopBound((self, context), eventLoop: eventLoop)
        let logger = logger
        producing = Task(executorPreference: EventLoopTaskExecutor(eventLoop)) {
            do {
                try await producer(writer)
            } catch {
                logger.debug("streamed body ended", metadata: ["error": "\(error)"])
            }
            eventLoop.execute {
                let (handler, context) = bound.value
                handler.producing = nil
                guard handler.context != nil, context.channel.isActive else { return }
                handler.recordCompleted(request, status, started: started)
                if !chunked { _ = handler.machine.responseClosesConnection(handlerAsksToClose: true) }
                handler.finishAnswer(
                    with: ByteBuffer(string: chunked ? "0\r\n\r\n" : ""), context: context)
            }
        }
    }

    private static func headersAreValid(_ headers: HTTPHeaders) -> Bool {
        headers.allSatisfy { name, value in
            !name.isEmpty && name.utf8.allSatisfy(ASCII.isTokenCharacter)
                && value.utf8.allSatisfy(ASCII.isFieldValueByte)
        }
    }

    private static func hasNoBody(_ status: HTTPResponseStatus) -> Bool {
        status.code < 200 || status.code == 204 || status.code == 304
    }

    private static func writeHead(
        status: HTTPResponseStatus, version: HTTPVersion, headers: HTTPHeaders, into buffer: inout ByteBuffer
    ) {
        buffer.writeString(version.minor == 0 ? "HTTP/1.0 " : "HTTP/1.1 ")
        buffer.writeString(String(status.code))
        buffer.writeString(" ")
        buffer.writeString(status.reasonPhrase)
        buffer.writeString("\r\n")
        for (name, value) in headers {
            buffer.writeString(name)
            buffer.writeString(": ")
            buffer.writeString(value)
            buffer.writeString("\r\n")
        }
        buffer.writeString("\r\n")
    }

    // MARK: - Refusals and timers

    private func refuse(_ error: HTTP1RequestError, context: ChannelHandlerContext) {
        request = nil
        let status = HTTPResponseStatus(statusCode: error.statusCode)
        let format = error == .bodyTooLarge ? refusalFormat : .plainText
        let message =
            error == .bodyTooLarge
            ? "request body larger than \(machine.configuration.limits.maxBodyBytes) bytes"
            : error == .headerTooLarge ? "request headers too large" : "malformed HTTP request: \(error.reason)"
        let (contentType, body) = format.body(status, message)
        var headers: HTTPHeaders = ["content-type": contentType, "content-length": "\(body.readableBytes)"]
        headers.add(name: "connection", value: "close")
        var buffer = context.channel.allocator.buffer(capacity: 256 + body.readableBytes)
        Self.writeHead(status: status, version: .http1_1, headers: headers, into: &buffer)
        buffer.writeImmutableBuffer(body)
        let written = context.writeAndFlush(wrapOutboundOut(buffer))
        if error == .bodyTooLarge {
            // The client may still be sending its body: it reads the answer if
            // the connection stays open a while, its input discarded.
            machine.refusalWritten()
        } else {
            written.assumeIsolated().whenComplete { _ in context.close(promise: nil) }
        }
    }

    /// Timers are re-armed lazily: a keep-alive request moves the deadline
    /// twice (read, then idle), and scheduling and cancelling a task for each
    /// cost more than the request's own parsing. A timer due no sooner than
    /// the task already scheduled is only noted; when that task fires early
    /// it schedules itself again for what is left.
    private func armTimer(context: ChannelHandlerContext) {
        guard let (kind, generation) = machine.takeTimerToArm() else { return }
        let deadline = context.eventLoop.now + TimeAmount(machine.duration(of: kind))
        wanted = (kind, generation, deadline)
        if timer != nil, let firesAt = timerFiresAt, firesAt <= deadline { return }
        timer?.cancel()
        schedule(at: deadline, context: context)
    }

    private func schedule(at deadline: NIODeadline, context: ChannelHandlerContext) {
        timerFiresAt = deadline
        timer = context.eventLoop.assumeIsolated().scheduleTask(deadline: deadline) { [self] in
            timer = nil
            timerFiresAt = nil
            guard let wanted else { return }
            if context.eventLoop.now < wanted.deadline {
                schedule(at: wanted.deadline, context: context)
                return
            }
            self.wanted = nil
            if machine.timerFired(wanted.kind, generation: wanted.generation) { context.close(promise: nil) }
        }
    }
}

@available(*, unavailable)
extension HTTP1ServerHandler: Sendable {}

/// Writes the pieces of a streamed body from the producer's task, each
/// once the one before has left (back-pressure for a slow client).
struct HTTP1ChunkWriter: HTTPBodyWriter {
    let channel: any Channel
    let chunked: Bool

    func write(_ bytes: ByteBuffer) async throws {
        guard bytes.readableBytes > 0 else { return }
        var framed = channel.allocator.buffer(capacity: bytes.readableBytes + 16)
        if chunked {
            framed.writeString(String(bytes.readableBytes, radix: 16))
            framed.writeString("\r\n")
        }
        framed.writeImmutableBuffer(bytes)
        if chunked { framed.writeString("\r\n") }
        try await channel.writeAndFlush(framed)
    }
}
