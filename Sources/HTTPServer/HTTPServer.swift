public import Logging
public import NIOCore
public import NIOPosix
public import ServiceLifecycle

/// One listener serving a router over HTTP/1.1 and/or HTTP/2, with or
/// without TLS.
///
/// A swift-service-lifecycle `Service`: `run()` binds, serves until graceful
/// shutdown, then stops accepting, lets in-flight requests finish within the
/// grace period, closes idle connections (HTTP/1.1 ones after a short drain
/// window, `ServerConfiguration.drainWindow`) and returns.
public final class HTTPServer: Service, Sendable {
    public let configuration: ServerConfiguration
    private let router: Router
    private let logger: Logger
    private let group: any EventLoopGroup
    private let onListening: @Sendable (SocketAddress) -> Void
    private let onDrain: @Sendable () -> Void

    /// `onDrain` runs once shutdown has begun, right after every connection
    /// was asked to finish (HTTP/2 ones were sent GOAWAY): the place to end
    /// long-lived streams, which would otherwise hold their connections
    /// for the whole grace period.
    public init(
        configuration: ServerConfiguration,
        router: Router,
        logger: Logger,
        group: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton,
        onListening: @escaping @Sendable (SocketAddress) -> Void = { _ in },
        onDrain: @escaping @Sendable () -> Void = {}
    ) {
        self.configuration = configuration
        self.router = router
        var logger = logger
        logger[metadataKey: "listener"] = "\(configuration.name)"
        self.logger = logger
        self.group = group
        self.onListening = onListening
        self.onDrain = onDrain
    }

    public func run() async throws {
        let metrics = ServerMetrics(listener: configuration.name)
        let connections = ConnectionRegistry(metrics: metrics, logger: logger)
        let configuration = configuration
        let logger = logger
        let setup = ConnectionSetup(configuration: configuration, router: router, metrics: metrics, logger: logger)
        let server = try await ServerBootstrap(group: group)
            .serverChannelOption(.backlog, value: 512)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelOption(.socketOption(.tcp_nodelay), value: 1)
            .bind(host: configuration.address.host, port: configuration.address.port) { channel in
                // What goes through the listener's stream is the bare channel,
                // which NIO may drop harmlessly; its connection (with the async
                // channel NIO traps on if dropped) waits in `connections` for
                // the accept loop, or is discarded there.
                channel.eventLoop.makeCompletedFuture { () -> any Channel in
                    connections.register(channel)
                    // Shutdown began: not served, so no async channel to build.
                    guard connections.isAccepting else {
                        channel.close(promise: nil)
                        return channel
                    }
                    let accepted: EventLoopFuture<AcceptedConnection>
                    do {
                        accepted = try setup.configure(channel)
                    } catch {
                        logger.debug("connection setup failed", metadata: ["error": "\(error)"])
                        channel.close(promise: nil)
                        return channel
                    }
                    // Shutdown may have begun while it was set up.
                    if !connections.holdUntilClaimed(channel, accepted) {
                        AcceptedConnection.discard(accepted, of: channel)
                    }
                    return channel
                }
            }
        if let address = server.channel.localAddress {
            logger.info("listening", metadata: ["address": "\(address.ipAddress ?? "?"):\(address.port ?? 0)"])
            onListening(address)
        }

        // The drain starts first, so that a connection accepted while the
        // listener closes is refused rather than served.
        let onDrain = onDrain
        let stopAccepting: @Sendable () -> Void = {
            connections.drain(gracePeriod: configuration.shutdownGracePeriod)
            server.channel.close(promise: nil)
            onDrain()
        }
        // The accept loop runs in a task of its own, which cancellation of
        // `run` does not reach: a cancelled loop would drop the connections
        // still queued in it, and NIO traps on an async channel dropped
        // unused. Cancellation instead closes the listener, as graceful
        // shutdown does, and the loop ends once it has handed every queued
        // connection over; connections it never saw (set up as the listener
        // closed) are discarded when it ends.
        let acceptLoop = Task {
            try await withThrowingDiscardingTaskGroup { group in
                defer { connections.acceptLoopEnded() }
                try await server.executeThenClose { inbound in
                    for try await channel in inbound {
                        // Not held: refused or failed in setup, and closed already.
                        guard let accepted = connections.claim(channel) else { continue }
                        let executor = EventLoopTaskExecutor(accepted.eventLoop)
                        group.addTask(executorPreference: executor) {
                            // A failed TLS handshake or ALPN fails this future: nothing to serve.
                            let connection: AcceptedConnection? = try? await accepted.get()
                            try? await connection?.channel.closeFuture.get()
                        }
                    }
                }
            }
        }
        try await withGracefulShutdownHandler {
            try await withTaskCancellationHandler {
                try await acceptLoop.value
            } onCancel: {
                stopAccepting()
            }
        } onGracefulShutdown: {
            logger.info("shutting down", metadata: ["connections": "\(connections.count)"])
            stopAccepting()
        }
        logger.info("stopped")
    }
}
