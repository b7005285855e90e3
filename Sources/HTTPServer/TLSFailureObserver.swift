import Logging
import NIOCore
import TLS

/// Counts and logs TLS handshake failures, by OpenSSL's reason, and passes
/// the error on so the connection ends.
final class TLSFailureObserver: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = ByteBuffer

    private let metrics: ServerMetrics
    private let logger: Logger

    init(metrics: ServerMetrics, logger: Logger) {
        self.metrics = metrics
        self.logger = logger
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        if let error = error as? TLSError, error.code != .ioFailed {
            metrics.handshakeFailed(reason: error.reason)
            logger.debug(
                "TLS handshake failed",
                metadata: ["remote": "\(context.remoteAddress.map { "\($0)" } ?? "?")", "error": "\(error)"])
        }
        context.fireErrorCaught(error)
    }
}

@available(*, unavailable)
extension TLSFailureObserver: Sendable {}
