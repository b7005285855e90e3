import HTTP2
import Logging
import NIOCore
import NIOHTTP1
import NIOTLS
import TLS

/// What an accepted connection became once its protocol was settled.
enum AcceptedConnection: Sendable {
    /// HTTP/1.1: served by the request loop over this channel.
    case http1(HTTP1Connection.Channel)
    /// HTTP/2: its handler runs streams itself; the channel is kept to wait for its end.
    case http2(any Channel)

    /// Closes a connection that will not be served. Its HTTP/1 async channel
    /// is finished through `executeThenClose`, as the accept loop would: NIO
    /// traps when one is deinited with its writer unfinished. `accepted` may
    /// complete later (after a TLS handshake): the channel is closed now, the
    /// async channel finished whenever it exists.
    static func discard(_ accepted: EventLoopFuture<AcceptedConnection>, of channel: any Channel) {
        channel.close(promise: nil)
        accepted.whenSuccess { connection in
            switch connection {
            case .http1(let connection):
                Task { try? await connection.executeThenClose { _, _ in } }
            case .http2(let channel):
                channel.close(promise: nil)
            }
        }
    }
}

/// Builds a new connection's pipeline for the listener's protocols.
struct ConnectionSetup: Sendable {
    let configuration: ServerConfiguration
    let router: Router
    let metrics: ServerMetrics
    let logger: Logger

    /// Runs on the channel's event loop. The future completes when the
    /// protocol is known: at once, or after the TLS handshake's ALPN.
    func configure(_ channel: any Channel) throws -> EventLoopFuture<AcceptedConnection> {
        let pipeline = channel.pipeline.syncOperations
        let limits = configuration.limits
        let drainWindow = TimeAmount(configuration.drainWindow)
        if let tls = configuration.tls {
            try pipeline.addHandler(TLSHandler(context: tls(), handshakeTimeout: limits.readTimeout))
            try pipeline.addHandler(TLSFailureObserver(metrics: metrics, logger: logger))
        }
        switch configuration.protocols {
        case .http1:
            return channel.eventLoop.makeSucceededFuture(
                .http1(try HTTP1Connection.configure(channel, limits: limits, drainWindow: drainWindow)))
        case .http2:
            try addHTTP2(to: channel)
            return channel.eventLoop.makeSucceededFuture(.http2(channel))
        case .negotiated:
            let negotiation = NIOTypedApplicationProtocolNegotiationHandler<AcceptedConnection> { result, channel in
                channel.eventLoop.makeCompletedFuture {
                    if case .negotiated("h2") = result {
                        try addHTTP2(to: channel)
                        return .http2(channel)
                    }
                    // http/1.1, or a client that offered no ALPN at all.
                    return .http1(try HTTP1Connection.configure(channel, limits: limits, drainWindow: drainWindow))
                }
            }
            try pipeline.addHandler(negotiation)
            return negotiation.protocolNegotiationResult
        }
    }

    private func addHTTP2(to channel: any Channel) throws {
        let limits = configuration.limits
        let streams = HTTP2RouterStreamHandler(
            router: router, limits: limits, metrics: metrics, logger: logger,
            connection: ConnectionInfo(remoteAddress: channel.remoteAddress))
        try channel.pipeline.syncOperations.addHandler(
            HTTP2ServerHandler(
                settings: configuration.effectiveHTTP2Settings, streamHandler: streams,
                idleTimeout: limits.idleTimeout, readTimeout: limits.readTimeout))
    }
}
