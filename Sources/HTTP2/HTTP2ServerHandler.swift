public import NIOCore

/// HTTP/2 for one connection: an nghttp2 session fed from the channel.
///
/// Each read goes through nghttp2 in one call; the events it recorded are
/// then delivered, so an application that answers at once still never runs
/// inside nghttp2. Answers arrive on the event loop through `HTTP2Stream`
/// and go out as one write per batch of frames.
public final class HTTP2ServerHandler: ChannelInboundHandler, RemovableChannelHandler {
    public typealias InboundIn = ByteBuffer
    public typealias OutboundOut = ByteBuffer

    private struct StreamEntry {
        let stream: HTTP2Stream
        let body: AsyncThrowingStream<ByteBuffer, any Error>.Continuation
        var unreadBytes = 0
    }

    private let settings: HTTP2Settings
    private let streamHandler: any HTTP2StreamHandler
    private let idleTimeout: TimeAmount?
    private var session: NGHTTP2Session?
    private var context: ChannelHandlerContext?
    private var streams: [Int32: StreamEntry] = [:]
    private var drainWaiters: [Int32: EventLoopPromise<Void>] = [:]
    private var draining = false
    private var idleTimer: Scheduled<Void>?
    private var isFlushing = false
    private var needsFlush = false
    private var flushScheduled = false
    /// True while nghttp2 parses; anything that would submit frames then is a bug.
    private(set) var isReceiving = false
    /// Submissions attempted while parsing (the re-entrancy test asserts zero).
    private(set) var reentrantSubmissions = 0

    /// Bytes a stream may have queued behind the peer's window before its
    /// writer waits.
    static let maxQueuedBytesPerStream = 1 << 20

    public init(
        settings: HTTP2Settings = HTTP2Settings(), streamHandler: any HTTP2StreamHandler, idleTimeout: TimeAmount? = nil
    ) {
        self.settings = settings
        self.streamHandler = streamHandler
        self.idleTimeout = idleTimeout
    }

    public var activeStreams: Int { streams.count }

    public func handlerAdded(context: ChannelHandlerContext) {
        self.context = context
        session = NGHTTP2Session(settings: settings, allocator: context.channel.allocator)
        if context.channel.isActive { start(context: context) }
    }

    public func channelActive(context: ChannelHandlerContext) {
        start(context: context)
        context.fireChannelActive()
    }

    private func start(context: ChannelHandlerContext) {
        flush()  // our SETTINGS
        armIdleTimer()
    }

    public func handlerRemoved(context: ChannelHandlerContext) {
        self.context = nil
        idleTimer?.cancel()
    }

    public func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        guard let session else { return }
        isReceiving = true
        let (events, error) = session.receive(unwrapInboundIn(data))
        isReceiving = false
        for event in events { deliver(event) }
        flush()
        if let error {
            context.fireErrorCaught(error)
            context.close(promise: nil)
        }
    }

    private func deliver(_ event: HTTP2Event) {
        switch event {
        case .request(let id, let headers, let endStream):
            guard !draining else {
                session?.reset(streamID: id, errorCode: HTTP2ErrorCode.refusedStream)
                return
            }
            idleTimer?.cancel()
            let (chunks, continuation) = AsyncThrowingStream.makeStream(of: ByteBuffer.self)
            let reference = HTTP2ConnectionReference(
                eventLoop: context!.eventLoop, handler: NIOLoopBound(self, eventLoop: context!.eventLoop))
            let body = HTTP2RequestBody(chunks: chunks) { count in
                reference.eventLoop.execute { reference.handler.value.consumed(count, streamID: id) }
            }
            let stream = HTTP2Stream(id: id, headers: headers, body: body, connection: reference)
            streams[id] = StreamEntry(stream: stream, body: continuation)
            if endStream { continuation.finish() }
            streamHandler.handle(stream)
        case .data(let id, let bytes):
            guard streams[id] != nil else {
                session?.consumeConnection(count: bytes.readableBytes)
                return
            }
            streams[id]!.unreadBytes += bytes.readableBytes
            streams[id]!.body.yield(bytes)
        case .trailers:
            break  // request trailers carry nothing this server uses
        case .endOfStream(let id):
            streams[id]?.body.finish()
        case .streamClosed(let id, let errorCode):
            guard let entry = streams.removeValue(forKey: id) else { return }
            session?.streamFinished(id)
            // Window for bytes nobody will read any more.
            session?.consumeConnection(count: entry.unreadBytes)
            entry.body.finish(throwing: HTTP2StreamReset(errorCode: errorCode))
            drainWaiters.removeValue(forKey: id)?.fail(HTTP2StreamReset(errorCode: errorCode))
            if errorCode != HTTP2ErrorCode.noError { entry.stream.cancel() }
            if streams.isEmpty, !draining { armIdleTimer() }
        }
    }

    private func consumed(_ count: Int, streamID: Int32) {
        guard streams[streamID] != nil else { return }
        streams[streamID]!.unreadBytes -= count
        session?.consume(streamID: streamID, count: count)
        scheduleFlush()
    }

    // MARK: Answers from streams, on the event loop

    func respond(streamID: Int32, headers: [HTTP2Header], endStream: Bool) {
        guard checkNotReceiving(), let session, streams[streamID] != nil else { return }
        session.respond(streamID: streamID, headers: headers, endStream: endStream)
        scheduleFlush()
    }

    /// Queues body bytes; returns a future to wait on when too much is queued.
    func send(_ bytes: ByteBuffer, streamID: Int32, end: Bool, trailers: [HTTP2Header]?) throws -> EventLoopFuture<
        Void
    >? {
        guard checkNotReceiving(), let session, let context else {
            throw HTTP2StreamReset(errorCode: HTTP2ErrorCode.cancel)
        }
        guard streams[streamID] != nil else { throw HTTP2StreamReset(errorCode: HTTP2ErrorCode.cancel) }
        session.send(bytes, streamID: streamID, end: end, trailers: trailers)
        scheduleFlush()
        guard session.pendingOutboundBytes(streamID: streamID) > Self.maxQueuedBytesPerStream else { return nil }
        let promise = context.eventLoop.makePromise(of: Void.self)
        drainWaiters[streamID]?.succeed()
        drainWaiters[streamID] = promise
        return promise.futureResult
    }

    func reset(streamID: Int32, errorCode: UInt32) {
        guard checkNotReceiving(), let session else { return }
        session.reset(streamID: streamID, errorCode: errorCode)
        scheduleFlush()
    }

    private func checkNotReceiving() -> Bool {
        if isReceiving { reentrantSubmissions += 1 }
        return !isReceiving
    }

    /// Flushes once the event loop has run what is already queued on it: the
    /// HEADERS and DATA of one answer, and the answers of other streams
    /// finishing in the same turn, leave in one TLS write instead of one
    /// each (a write per frame cost a syscall and a TLS record apiece).
    private func scheduleFlush() {
        guard !flushScheduled, let context else { return }
        flushScheduled = true
        context.eventLoop.assumeIsolated().execute {
            self.flushScheduled = false
            self.flush()
        }
    }

    /// Writes whatever nghttp2 has queued and delivers what happened while
    /// it did (streams closing), until both are done; then wakes writers
    /// whose streams have drained and closes the connection when the
    /// session is over. Calls made meanwhile only ask for another round.
    private func flush() {
        guard let session, let context else { return }
        guard !isFlushing else {
            needsFlush = true
            return
        }
        isFlushing = true
        defer { isFlushing = false }
        repeat {
            needsFlush = false
            if let output = session.output() {
                context.writeAndFlush(wrapOutboundOut(output), promise: nil)
            }
            for event in session.takeEvents() { deliver(event) }
        } while needsFlush
        for (streamID, promise) in drainWaiters
        where session.pendingOutboundBytes(streamID: streamID) <= Self.maxQueuedBytesPerStream {
            drainWaiters[streamID] = nil
            promise.succeed()
        }
        if !session.isAlive || (draining && streams.isEmpty) {
            context.close(promise: nil)
        }
    }

    // MARK: Shutdown and idleness

    public func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if event is ChannelShouldQuiesceEvent {
            // GOAWAY: no new streams; those in flight finish, then we close.
            draining = true
            session?.goAway(errorCode: HTTP2ErrorCode.noError)
            flush()
            return
        }
        context.fireUserInboundEventTriggered(event)
    }

    private func armIdleTimer() {
        guard let idleTimeout, let context else { return }
        idleTimer?.cancel()
        idleTimer = context.eventLoop.assumeIsolated().scheduleTask(in: idleTimeout) {
            guard self.streams.isEmpty else { return }
            self.session?.goAway(errorCode: HTTP2ErrorCode.noError)
            self.draining = true
            self.flush()
        }
    }

    public func channelInactive(context: ChannelHandlerContext) {
        idleTimer?.cancel()
        for (_, entry) in streams {
            entry.body.finish(throwing: HTTP2StreamReset(errorCode: HTTP2ErrorCode.cancel))
            entry.stream.cancel()
        }
        streams.removeAll()
        for (_, promise) in drainWaiters { promise.fail(HTTP2StreamReset(errorCode: HTTP2ErrorCode.cancel)) }
        drainWaiters.removeAll()
        context.fireChannelInactive()
    }
}

@available(*, unavailable)
extension HTTP2ServerHandler: Sendable {}
