import NIOCore
import NIOHTTP1
import NIOPosix
import TLS

/// How every client connection starts: TCP_NODELAY, a connect timeout, TLS
/// (when given) verifying the URL's host, and the HTTP/1.1 codec; `finish`
/// adds what reads responses (a collector, or an async channel for streams).
enum ClientChannel {
    static func connect<Output: Sendable>(
        group: any EventLoopGroup,
        host: String,
        port: Int,
        tls: TLSContext?,
        timeout: Duration,
        finish: @escaping @Sendable (any Channel) throws -> Output
    ) async throws -> Output {
        do {
            return try await ClientBootstrap(group: group)
                .channelOption(.socketOption(.tcp_nodelay), value: 1)
                .connectTimeout(TimeAmount(timeout))
                .connect(host: host, port: port) { channel in
                    channel.eventLoop.makeCompletedFuture {
                        let pipeline = channel.pipeline.syncOperations
                        if let tls { try pipeline.addHandler(TLSHandler(context: tls, serverName: host)) }
                        try pipeline.addHTTPClientHandlers()
                        return try finish(channel)
                    }
                }
        } catch {
            throw HTTPClientError.connectFailed("\(host):\(port): \(error)")
        }
    }
}
