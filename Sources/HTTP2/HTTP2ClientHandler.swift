public import NIOCore

/// The client side of one HTTP/2 connection: each request written to the
/// pipeline becomes a stream, answered through its promise.
///
/// As on the server, nghttp2 only records what it parsed; the events are
/// delivered after `mem_recv` returns, so a promise's callbacks (which may
/// write the next request at once) never run inside nghttp2.
public final class HTTP2ClientHandler: ChannelDuplexHandler, RemovableChannelHandler {
    public typealias InboundIn = ByteBuffer
    public typealias OutboundIn = HTTP2ClientOutbound
    public typealias OutboundOut = ByteBuffer

    private struct Call {
        let token: UInt64
        let promise: EventLoopPromise<HTTP2ClientResponse>
        var status: Int?
        var headers: [HTTP2Header] = []
        var body = ByteBuffer()
        var trailers: [HTTP2Header] = []
        var malformed: String?
    }

    private let settings: HTTP2Settings
    private let onGoingAway: @Sendable () -> Void
    private var session: NGHTTP2Session?
    private var context: ChannelHandlerContext?
    private var calls: [Int32: Call] = [:]
    private var streamsByToken: [UInt64: Int32] = [:]
    private var goingAway = false

    /// - Parameter onGoingAway: called once, on the event loop, when the
    ///   connection stops taking requests (GOAWAY received, or closed), so
    ///   that whoever hands it out can stop doing so.
    public init(settings: HTTP2Settings = HTTP2Settings(), onGoingAway: @escaping @Sendable () -> Void = {}) {
        self.settings = settings
        self.onGoingAway = onGoingAway
    }

    /// Streams waiting for their response.
    public var activeStreams: Int { calls.count }

    public func handlerAdded(context: ChannelHandlerContext) {
        self.context = context
        do {
            session = try NGHTTP2Session(settings: settings, allocator: context.channel.allocator, role: .client)
        } catch {
            context.fireErrorCaught(error)
            context.close(promise: nil)
            return
        }
        if context.channel.isActive { flush() }  // the preface and our SETTINGS
    }

    public func handlerRemoved(context: ChannelHandlerContext) {
        self.context = nil
    }

    public func channelActive(context: ChannelHandlerContext) {
        flush()
        context.fireChannelActive()
    }

    public func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        switch unwrapOutboundIn(data) {
        case .request(let headers, let body, let token, let responsePromise):
            guard !goingAway, context.channel.isActive, let session,
                let streamID = session.submitRequest(headers: headers, body: body)
            else {
                responsePromise.fail(HTTP2ClientError(streamID: nil, problem: .notSent))
                promise?.fail(HTTP2ClientError(streamID: nil, problem: .notSent))
                return
            }
            calls[streamID] = Call(token: token, promise: responsePromise)
            streamsByToken[token] = streamID
            flush()
            promise?.succeed()
        case .cancel(let token):
            if let streamID = streamsByToken[token], let call = finish(streamID) {
                session?.reset(streamID: streamID, errorCode: HTTP2ErrorCode.cancel)
                call.promise.fail(HTTP2ClientError(streamID: streamID, problem: .cancelled))
                flush()
            }
            promise?.succeed()
        }
    }

    public func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        guard let session else { return }
        let (events, error) = session.receive(unwrapInboundIn(data))
        // nghttp2 closes the streams a GOAWAY refuses while it parses the
        // frame; the GOAWAY goes first so that they fail as refused by it.
        for event in events where event.isGoAway { deliver(event) }
        for event in events where !event.isGoAway { deliver(event) }
        flush()
        if let error {
            failAll(.malformedResponse(error.description))
            context.fireErrorCaught(error)
            context.close(promise: nil)
        }
    }

    private func deliver(_ event: HTTP2Event) {
        switch event {
        case .response(let id, let headers), .trailers(let id, let headers):
            guard var call = calls[id] else { return }
            if call.status == nil {
                receiveHead(headers, into: &call)
            } else {
                call.trailers = headers
            }
            calls[id] = call
        case .data(let id, let bytes):
            var bytes = bytes
            calls[id]?.body.writeBuffer(&bytes)
        case .endOfStream(let id):
            guard let call = calls[id], let status = call.status else { return }
            _ = finish(id)
            call.promise.succeed(
                HTTP2ClientResponse(status: status, headers: call.headers, body: call.body, trailers: call.trailers))
        case .invalidFrame(let id, let reason):
            calls[id]?.malformed = reason
        case .streamClosed(let id, let errorCode):
            session?.streamFinished(id)
            guard let call = finish(id) else { return }
            let problem: HTTP2ClientError.Problem =
                call.malformed.map { .malformedResponse($0) } ?? .reset(errorCode: errorCode)
            call.promise.fail(HTTP2ClientError(streamID: id, problem: problem))
        case .goAway(let lastStreamID, let errorCode):
            stopTakingRequests()
            // Streams above the last one named were never processed: they
            // fail now, while those below it may still be answered.
            for id in calls.keys where id > lastStreamID {
                guard let call = finish(id) else { continue }
                call.promise.fail(HTTP2ClientError(streamID: id, problem: .goAway(errorCode: errorCode)))
            }
        case .request, .headerListTooLarge:
            break  // a server opens no streams to a client that disabled push
        }
    }

    /// The first header block: the final response, or an interim 1xx one
    /// that is skipped (the final response follows as another block).
    private func receiveHead(_ headers: [HTTP2Header], into call: inout Call) {
        guard let text = headers.first(where: { $0.name == ":status" })?.value, let status = Int(text),
            (100...999).contains(status)
        else {
            call.malformed = call.malformed ?? "the response has no valid :status"
            return
        }
        guard status >= 200 else { return }
        call.status = status
        call.headers = headers.filter { !$0.name.hasPrefix(":") }
    }

    private func finish(_ streamID: Int32) -> Call? {
        guard let call = calls.removeValue(forKey: streamID) else { return nil }
        streamsByToken[call.token] = nil
        return call
    }

    private func stopTakingRequests() {
        guard !goingAway else { return }
        goingAway = true
        onGoingAway()
    }

    private func failAll(_ problem: HTTP2ClientError.Problem) {
        let failed = calls
        calls.removeAll()
        streamsByToken.removeAll()
        for (id, call) in failed { call.promise.fail(HTTP2ClientError(streamID: id, problem: problem)) }
    }

    /// Writes what nghttp2 queued and delivers the events recorded while it
    /// did, until both are done; closes the connection once it is going
    /// away with nothing left in flight, or the session is over.
    private func flush() {
        guard let session, let context else { return }
        let outermost = session.flush(
            write: { context.writeAndFlush(wrapOutboundOut($0), promise: nil) }, deliver: deliver)
        guard outermost else { return }
        if !session.isAlive || (goingAway && calls.isEmpty) {
            context.close(promise: nil)
        }
    }

    public func errorCaught(context: ChannelHandlerContext, error: any Error) {
        stopTakingRequests()
        failAll(.connectionClosed)
        context.fireErrorCaught(error)
        context.close(promise: nil)
    }

    public func channelInactive(context: ChannelHandlerContext) {
        stopTakingRequests()
        failAll(.connectionClosed)
        context.fireChannelInactive()
    }
}

extension HTTP2Event {
    fileprivate var isGoAway: Bool {
        if case .goAway = self { true } else { false }
    }
}

@available(*, unavailable)
extension HTTP2ClientHandler: Sendable {}
