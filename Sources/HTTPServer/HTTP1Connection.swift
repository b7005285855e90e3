import Logging
import NIOCore
import NIOHTTP1
import TLS

/// HTTP/1.1 on one connection: the NIO pipeline, then the request loop.
///
/// The pipeline keeps protocol work on the event loop (TLS, parsing,
/// pipelining order, limits, timeouts); the loop runs as a task and awaits
/// each handler in turn, so responses leave in request order.
enum HTTP1Connection {
    typealias Channel = NIOAsyncChannel<HTTPServerRequestPart, HTTPServerResponsePart>

    /// Builds the pipeline. Runs on the channel's event loop.
    static func configure(
        _ channel: any NIOCore.Channel,
        configuration: ServerConfiguration,
        metrics: ServerMetrics,
        logger: Logger
    ) throws -> Channel {
        let pipeline = channel.pipeline.syncOperations
        let limits = configuration.limits
        if let tls = configuration.tls {
            try pipeline.addHandler(TLSHandler(context: tls(), handshakeTimeout: limits.readTimeout))
            try pipeline.addHandler(TLSFailureObserver(metrics: metrics, logger: logger))
        }
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
        ])
        return try Channel(wrappingChannelSynchronously: channel)
    }

    /// Reads requests and answers them until the client or the server ends
    /// the connection.
    static func serve(_ channel: Channel, router: Router, metrics: ServerMetrics, logger: Logger) async {
        let info = ConnectionInfo(remoteAddress: channel.channel.remoteAddress)
        do {
            try await channel.executeThenClose { inbound, outbound in
                var parts = inbound.makeAsyncIterator()
                while let request = try await readRequest(from: &parts, info: info) {
                    let keepAlive = request.head.isKeepAlive
                    let started = ContinuousClock.now
                    var response = await router.respond(to: request.request, logger: logger)
                    response.headers.replaceOrAdd(name: "content-length", value: "\(response.body.readableBytes)")
                    if !keepAlive { response.headers.replaceOrAdd(name: "connection", value: "close") }
                    let head = HTTPResponseHead(
                        version: request.head.version, status: response.status, headers: response.headers)
                    try await outbound.write(contentsOf: [.head(head), .body(.byteBuffer(response.body)), .end(nil)])
                    metrics.requestCompleted(
                        route: router.routeLabel(for: request.request.path),
                        method: request.head.method,
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

    /// The next whole request, or nil when the client is done.
    private static func readRequest(
        from parts: inout NIOAsyncChannelInboundStream<HTTPServerRequestPart>.AsyncIterator,
        info: ConnectionInfo
    ) async throws -> (head: HTTPRequestHead, request: HTTPRequest)? {
        guard case .head(let head)? = try await parts.next() else { return nil }
        var body = ByteBuffer()
        while let part = try await parts.next() {
            switch part {
            case .body(var chunk):
                if body.readableBytes == 0 { body = chunk } else { body.writeBuffer(&chunk) }
            case .end:
                let request = HTTPRequest(
                    method: head.method, uri: head.uri, headers: head.headers, body: body, connection: info)
                return (head, request)
            case .head:
                return nil
            }
        }
        return nil
    }
}
