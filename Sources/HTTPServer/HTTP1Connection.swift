import Logging
import NIOCore
import NIOHTTP1

/// HTTP/1.1 on one connection: the NIO pipeline, then the request loop.
///
/// The pipeline keeps protocol work on the event loop (TLS, parsing,
/// pipelining order, limits, timeouts, aggregation); the loop runs as a task
/// and awaits each handler in turn, so responses leave in request order.
enum HTTP1Connection {
    typealias Channel = NIOAsyncChannel<HTTP1Request, HTTP1Response>

    /// Adds the HTTP/1.1 handlers after whatever is there (TLS, or nothing).
    /// Runs on the channel's event loop. `drainWindow` is how long an idle
    /// connection may still bring a request once shutdown began.
    ///
    /// NIO's server pipeline comes first (its request decoder tells the
    /// encoder which responses answer `HEAD`, so those go without a body),
    /// then our handlers, in the order a request meets them.
    static func configure(_ channel: any NIOCore.Channel, limits: ConnectionLimits, drainWindow: TimeAmount) throws
        -> Channel
    {
        let pipeline = channel.pipeline.syncOperations
        var decoderLimits = NIOHTTPDecoderLimitConfiguration()
        decoderLimits.maxHeaderListSize = limits.maxHeaderBytes
        decoderLimits.maxHeaderFieldSize = limits.maxHeaderBytes
        try pipeline.configureHTTPServerPipeline(
            withErrorHandling: false, withEncoderConfiguration: .init(), withDecoderLimitConfiguration: decoderLimits)
        let pipelining = try pipeline.handler(type: HTTPServerPipelineHandler.self)
        try pipeline.addHandler(KeepAliveDrainHandler(drainWindow: drainWindow), position: .before(pipelining))
        try pipeline.addHandlers([
            ClosingExchangeGate(),
            HTTP1ErrorHandler(),
            RequestHeadValidator(),
            RequestLimitsHandler(maxRequestBytes: limits.maxRequestBytes, format: limits.refusalFormat),
            ExpectContinueHandler(),
            ConnectionTimeoutHandler(readTimeout: limits.readTimeout, idleTimeout: limits.idleTimeout),
            HTTP1MessageAggregator(),
        ])
        return try Channel(wrappingChannelSynchronously: channel)
    }

    /// Reads requests and answers them until the client or the server ends
    /// the connection.
    static func serve(_ channel: Channel, router: Router, metrics: ServerMetrics, logger: Logger) async {
        let info = ConnectionInfo(remoteAddress: channel.channel.remoteAddress)
        do {
            try await channel.executeThenClose { inbound, outbound in
                for try await message in inbound {
                    let head = message.head
                    let started = ContinuousClock.now
                    var uri = head.uri
                    var headers = head.headers
                    if let absolute = AbsoluteFormTarget(uri) {
                        uri = absolute.originForm
                        headers.replaceOrAdd(name: "host", value: absolute.authority)
                    }
                    let request = HTTPRequest(
                        method: head.method, uri: uri, headers: headers, body: message.body, connection: info,
                        version: head.version)
                    var response = await router.respond(to: request, logger: logger)
                    let keepAlive = head.isKeepAlive && !response.asksToClose
                    if !keepAlive { response.headers.replaceOrAdd(name: "connection", value: "close") }
                    if let producer = response.producer {
                        // No content-length: NIO's encoder frames the body as chunked.
                        response.headers.remove(name: "content-length")
                        try await outbound.write(
                            .head(
                                HTTPResponseHead(
                                    version: head.version, status: response.status, headers: response.headers)))
                        // The producer may wait a long time for something to write (a
                        // watch): it is cancelled as soon as the connection closes.
                        let writer = HTTP1BodyWriter(outbound: outbound)
                        let producing = Task(executorPreference: EventLoopTaskExecutor(channel.channel.eventLoop)) {
                            try await producer(writer)
                        }
                        channel.channel.closeFuture.whenComplete { _ in producing.cancel() }
                        _ = try? await producing.value
                        try await outbound.write(.end)
                    } else {
                        if head.method == .HEAD {
                            // The length is GET's where Router.headAnswer knew it; left
                            // out, NIO's encoder announces chunked framing. It sends
                            // no body for HEAD either way.
                            response.body.clear()
                        } else {
                            response.headers.replaceOrAdd(
                                name: "content-length", value: "\(response.body.readableBytes)")
                        }
                        try await outbound.write(
                            .whole(
                                HTTPResponseHead(
                                    version: head.version, status: response.status, headers: response.headers),
                                response.body))
                    }
                    metrics.requestCompleted(
                        route: router.routeLabel(for: request.path),
                        method: head.method,
                        status: response.status,
                        duration: ContinuousClock.now - started)
                    if !keepAlive { return }
                }
            }
        } catch {
            logger.debug(
                "connection ended",
                metadata: ["remote": "\(info.remoteAddress.map { "\($0)" } ?? "?")", "error": "\(error)"])
        }
    }
}

extension HTTPResponse {
    /// Whether the handler asked for the connection to end after this response.
    var asksToClose: Bool {
        headers["connection"].contains { value in
            value.split(separator: ",").contains { $0.filter { $0 != " " && $0 != "\t" }.lowercased() == "close" }
        }
    }
}

/// Streams body pieces to an HTTP/1.1 connection as chunks.
struct HTTP1BodyWriter: HTTPBodyWriter {
    let outbound: NIOAsyncChannelOutboundWriter<HTTP1Response>

    func write(_ bytes: ByteBuffer) async throws {
        try await outbound.write(.body(bytes))
    }
}
