import HTTP2
import Logging
import NIOCore
import NIOHTTP1
import NIOTLS
import TLS

/// What an accepted connection became once its protocol was settled.
enum AcceptedConnection: Sendable {
    /// HTTP/1.1 or HTTP/2: its handler serves it; the channel is kept to wait for its end.
    case http1(any Channel)
    case http2(any Channel)

    var channel: any Channel {
        switch self {
        case .http1(let channel), .http2(let channel): channel
        }
    }

    /// Closes a connection that will not be served. `accepted` may complete
    /// later (after a TLS handshake): the channel is closed now.
    static func discard(_ accepted: EventLoopFuture<AcceptedConnection>, of channel: any Channel) {
        channel.close(promise: nil)
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
        if let tls = configuration.tls {
            try pipeline.addHandler(TLSHandler(context: tls(), handshakeTimeout: limits.readTimeout))
            try pipeline.addHandler(TLSFailureObserver(metrics: metrics, logger: logger))
        }
        switch configuration.protocols {
        case .http1:
            try addHTTP1(to: channel)
            return channel.eventLoop.makeSucceededFuture(.http1(channel))
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
                    try addHTTP1(to: channel)
                    return .http1(channel)
                }
            }
            try pipeline.addHandler(negotiation)
            return negotiation.protocolNegotiationResult
        }
    }

    private func addHTTP1(to channel: any Channel) throws {
        try channel.pipeline.syncOperations.addHandler(
            HTTP1ServerHandler(
                configuration: configuration.http1Configuration, refusalFormat: configuration.limits.refusalFormat,
                router: router, metrics: metrics, logger: logger))
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
