import CoreMetrics
import Metrics
import NIOHTTP1

/// The metrics one listener reports through swift-metrics, labelled by
/// listener name so the webhook, probe and metrics ports stay apart.
struct ServerMetrics: Sendable {
    let listener: String
    let openConnections: Meter

    init(listener: String) {
        self.listener = listener
        openConnections = Meter(label: "http_open_connections", dimensions: [("listener", listener)])
    }

    func requestCompleted(route: String, method: HTTPMethod, status: HTTPResponseStatus, duration: Duration) {
        Counter(
            label: "http_requests_total",
            dimensions: [
                ("listener", listener), ("path", route), ("method", method.rawValue), ("code", "\(status.code)"),
            ]
        ).increment()
        Metrics.Timer(
            label: "http_request_duration_seconds",
            dimensions: [("listener", listener), ("path", route), ("method", method.rawValue)]
        ).recordNanoseconds(duration.nanoseconds)
    }

    func handshakeFailed(reason: String) {
        Counter(label: "tls_handshake_failures_total", dimensions: [("listener", listener), ("reason", reason)])
            .increment()
    }
}

extension Duration {
    var nanoseconds: Int64 {
        let (seconds, attoseconds) = components
        return seconds * 1_000_000_000 + attoseconds / 1_000_000_000
    }
}
