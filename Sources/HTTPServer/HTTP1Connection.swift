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
                    response.headers.replaceOrAdd(name: "content-length", value: "\(response.body.readableBytes)")
                    if !keepAlive { response.headers.replaceOrAdd(name: "connection", value: "close") }
                    try await outbound.write(
                        HTTP1Response(
                            head: HTTPResponseHead(
                                version: head.version, status: response.status, headers: response.headers),
                            body: response.body))
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
