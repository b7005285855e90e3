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
    /// Runs on the channel's event loop.
    static func configure(_ channel: any NIOCore.Channel, limits: ConnectionLimits) throws -> Channel {
        let pipeline = channel.pipeline.syncOperations
        var decoderLimits = NIOHTTPDecoderLimitConfiguration()
        decoderLimits.maxHeaderListSize = limits.maxHeaderBytes
        decoderLimits.maxHeaderFieldSize = limits.maxHeaderBytes
        try pipeline.addHandlers([
            HTTPResponseEncoder(),
            ByteToMessageHandler(HTTPRequestDecoder(limitConfiguration: decoderLimits)),
            HTTPServerPipelineHandler(),
            NIOHTTPResponseHeadersValidator(),
            HTTP1ErrorHandler(),
            RequestLimitsHandler(maxRequestBytes: limits.maxRequestBytes),
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
                    let keepAlive = head.isKeepAlive
                    let started = ContinuousClock.now
                    let request = HTTPRequest(
                        method: head.method, uri: head.uri, headers: head.headers, body: message.body, connection: info)
                    var response = await router.respond(to: request, logger: logger)
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
                        response.headers.replaceOrAdd(name: "content-length", value: "\(response.body.readableBytes)")
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

/// Streams body pieces to an HTTP/1.1 connection as chunks.
struct HTTP1BodyWriter: HTTPBodyWriter {
    let outbound: NIOAsyncChannelOutboundWriter<HTTP1Response>

    func write(_ bytes: ByteBuffer) async throws {
        try await outbound.write(.body(bytes))
    }
}
