import HTTP2
import NIOCore
import NIOHTTP1
import NIOPosix
import NIOTLS
import TLS

/// A connection whose protocol the server chose through ALPN.
enum NegotiatedConnection: Sendable {
    case http2(MultiplexedConnection)
    case http1(ClientConnection)
}

extension ClientChannel {
    /// Connects offering the context's ALPN list (which names `h2`) and
    /// sets the pipeline up for the protocol the server picked once the
    /// handshake is done: HTTP/2, or HTTP/1.1 (also when it picked none).
    static func connectNegotiating(
        group: any EventLoopGroup, host: String, port: Int, tls: TLSContext, timeout: Duration
    ) async throws -> NegotiatedConnection {
        // The bootstrap waits for the initialiser's future before it
        // connects, and the handshake needs the connection: so the
        // negotiation's future is handed out inside a value, not waited on.
        struct Negotiating: Sendable { var result: EventLoopFuture<NegotiatedConnection> }
        do {
            let negotiating = try await ClientBootstrap(group: group)
                .channelOption(.socketOption(.tcp_nodelay), value: 1)
                .connectTimeout(TimeAmount(timeout))
                .connect(host: host, port: port) { channel in
                    channel.eventLoop.makeCompletedFuture {
                        let pipeline = channel.pipeline.syncOperations
                        try pipeline.addHandler(
                            TLSHandler(context: tls, serverName: host, handshakeTimeout: TimeAmount(timeout)))
                        let negotiation = NIOTypedApplicationProtocolNegotiationHandler<NegotiatedConnection> {
                            result, channel in
                            channel.eventLoop.makeCompletedFuture { try setUp(channel, for: result) }
                        }
                        try pipeline.addHandler(negotiation)
                        return Negotiating(result: negotiation.protocolNegotiationResult)
                    }
                }
            return try await negotiating.result.get()
        } catch {
            throw HTTPClientError.connectFailed("\(host):\(port): \(error)")
        }
    }

    private static func setUp(_ channel: any Channel, for result: ALPNResult) throws -> NegotiatedConnection {
        let pipeline = channel.pipeline.syncOperations
        if case .negotiated("h2") = result {
            let connection = MultiplexedConnection(channel: channel)
            try pipeline.addHandler(HTTP2ClientHandler(onGoingAway: { connection.markGoingAway() }))
            return .http2(connection)
        }
        try pipeline.addHTTPClientHandlers()
        try pipeline.addHandler(ResponseCollector())
        return .http1(ClientConnection(channel: channel))
    }
}
