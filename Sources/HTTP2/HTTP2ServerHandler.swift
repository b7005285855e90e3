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
        /// Resets the stream if the request has not ended by then.
        var readTimer: Scheduled<Void>?
    }

    private let settings: HTTP2Settings
    private let streamHandler: any HTTP2StreamHandler
    private let idleTimeout: TimeAmount?
    private let readTimeout: TimeAmount?
    private var session: NGHTTP2Session?
    private var context: ChannelHandlerContext?
    private var streams: [Int32: StreamEntry] = [:]
    private var drainWaiters: [Int32: EventLoopPromise<Void>] = [:]
    private var draining = false
    private var idleTimer: Scheduled<Void>?
    private var flushScheduled = false
    /// True while nghttp2 parses; anything that would submit frames then is a bug.
    private(set) var isReceiving = false
    /// Submissions attempted while parsing (the re-entrancy test asserts zero).
    private(set) var reentrantSubmissions = 0
    /// Resets asked for while parsing, sent once the parse has returned.
    private var resetsAfterReceiving: [(streamID: Int32, errorCode: UInt32)] = []

    /// Bytes a stream may have queued behind the peer's window before its
    /// writer waits.
    static let maxQueuedBytesPerStream = 1 << 20

    /// - Parameters:
    ///   - idleTimeout: how long the connection may have no streams before GOAWAY.
    ///   - readTimeout: how long a request may take to arrive whole, from its
    ///     headers to its END_STREAM; a stream still unfinished then is reset.
    ///     Long-lived streams (gRPC streaming) opt out with
    ///     `HTTP2Stream.disableReadTimeout()`.
    public init(
        settings: HTTP2Settings = HTTP2Settings(),
        streamHandler: any HTTP2StreamHandler,
        idleTimeout: TimeAmount? = nil,
        readTimeout: TimeAmount? = nil
    ) {
        self.settings = settings
        self.streamHandler = streamHandler
        self.idleTimeout = idleTimeout
        self.readTimeout = readTimeout
    }

    public var activeStreams: Int { streams.count }

    public func handlerAdded(context: ChannelHandlerContext) {
        self.context = context
        do {
            session = try NGHTTP2Session(settings: settings, allocator: context.channel.allocator)
        } catch {
            context.fireErrorCaught(error)
            context.close(promise: nil)
            return
        }
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
        for entry in streams.values { entry.readTimer?.cancel() }
    }

    public func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        guard let session else { return }
        let (events, error) = receiving { session.receive(unwrapInboundIn(data)) }
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
            if endStream { continuation.finish() } else { armReadTimer(streamID: id) }
            streamHandler.handle(stream)
        case .headerListTooLarge(let id, _):
            // As HTTP/1.1 answers a header section over the limit, and as Go's
            // server does; the stream never reaches the application.
            _ = try? session?.respond(
                streamID: id, headers: [HTTP2Header(":status", "431"), HTTP2Header("content-length", "0")],
                endStream: true)
        case .data(let id, let bytes):
            guard streams[id] != nil else {
                session?.consumeConnection(count: bytes.readableBytes)
                return
            }
            streams[id]!.unreadBytes += bytes.readableBytes
            streams[id]!.body.yield(bytes)
        case .trailers:
            break  // request trailers carry nothing this server uses
        case .response, .goAway, .invalidFrame:
            break  // a client's GOAWAY ends the session in nghttp2; the rest are a client's events
        case .endOfStream(let id):
            streams[id]?.readTimer?.cancel()
            streams[id]?.readTimer = nil
            streams[id]?.body.finish()
        case .streamClosed(let id, let errorCode):
            session?.streamFinished(id)
            guard let entry = streams.removeValue(forKey: id) else { return }
            entry.readTimer?.cancel()
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

    /// Sends response headers. Throws `HTTP2StreamReset` when the stream is
    /// gone, `HTTP2ResponseError` when the answer is out of order.
    func respond(streamID: Int32, headers: [HTTP2Header], endStream: Bool) throws {
        try checkNotReceiving(streamID)
        guard let session, streams[streamID] != nil else { throw HTTP2StreamReset(errorCode: HTTP2ErrorCode.cancel) }
        try session.respond(streamID: streamID, headers: headers, endStream: endStream)
        scheduleFlush()
    }

    /// True once `streamID` has response headers (its body may follow).
    func hasResponded(streamID: Int32) -> Bool {
        session?.hasResponded(streamID: streamID) ?? false
    }

    /// Queues body bytes; returns a future to wait on when too much is queued.
    func send(_ bytes: ByteBuffer, streamID: Int32, end: Bool, trailers: [HTTP2Header]?) throws -> EventLoopFuture<
        Void
    >? {
        try checkNotReceiving(streamID)
        guard let session, let context, streams[streamID] != nil else {
            throw HTTP2StreamReset(errorCode: HTTP2ErrorCode.cancel)
        }
        try session.send(bytes, streamID: streamID, end: end, trailers: trailers)
        scheduleFlush()
        guard session.pendingOutboundBytes(streamID: streamID) > Self.maxQueuedBytesPerStream else { return nil }
        let promise = context.eventLoop.makePromise(of: Void.self)
        drainWaiters[streamID]?.succeed()
        drainWaiters[streamID] = promise
        return promise.futureResult
    }

    /// Resets the stream. Asked for while nghttp2 parses, it is sent once
    /// the parse has returned: a reset has no result to report, so it can wait.
    func reset(streamID: Int32, errorCode: UInt32) {
        guard !isReceiving else {
            reentrantSubmissions += 1
            resetsAfterReceiving.append((streamID, errorCode))
            return
        }
        guard let session else { return }
        session.reset(streamID: streamID, errorCode: errorCode)
        scheduleFlush()
    }

    /// Answers made while nghttp2 parses would re-enter it. The design keeps
    /// them out (events are delivered after the parse), so one arriving
    /// anyway is a bug that fails loudly: counted, and thrown to the caller.
    private func checkNotReceiving(_ streamID: Int32) throws(HTTP2ResponseError) {
        guard isReceiving else { return }
        reentrantSubmissions += 1
        throw HTTP2ResponseError(streamID: streamID, problem: .duringRead)
    }

    /// Runs `body` (nghttp2's parse) marked as receiving, then sends the
    /// resets asked for meanwhile.
    func receiving<Result>(_ body: () -> Result) -> Result {
        isReceiving = true
        let result = body()
        isReceiving = false
        let resets = resetsAfterReceiving
        resetsAfterReceiving.removeAll()
        for (streamID, errorCode) in resets { reset(streamID: streamID, errorCode: errorCode) }
        return result
    }

    // MARK: Read timeout

    private func armReadTimer(streamID: Int32) {
        guard let readTimeout, let context else { return }
        streams[streamID]?.readTimer = context.eventLoop.assumeIsolated().scheduleTask(in: readTimeout) {
            // The request did not arrive whole in time: the stream is reset
            // (CANCEL: we no longer want it); its close ends the body with an
            // error and cancels the handler's work.
            guard self.streams[streamID] != nil else { return }
            self.streams[streamID]?.readTimer = nil
            self.reset(streamID: streamID, errorCode: HTTP2ErrorCode.cancel)
        }
    }

    /// Leaves a stream's request without a deadline (a long-lived stream).
    func disableReadTimeout(streamID: Int32) {
        streams[streamID]?.readTimer?.cancel()
        streams[streamID]?.readTimer = nil
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
        let outermost = session.flush(
            write: { context.writeAndFlush(wrapOutboundOut($0), promise: nil) }, deliver: deliver)
        guard outermost else { return }
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
            entry.readTimer?.cancel()
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
