import CoreMetrics
import Metrics
import NIOCore
import NIOHTTP1
import Synchronization

/// The metrics one listener reports through swift-metrics, labelled by
/// listener name so the webhook, probe and metrics ports stay apart.
///
/// Request metrics are looked up once per (route, method, code) and kept,
/// since building labels and asking the metrics factory on every request
/// costs more than the request's own work on a fast path.
final class ServerMetrics: Sendable {
    private struct RequestKey: Hashable {
        var route: String
        var method: String
        var status: UInt
    }

    private struct RequestMetrics {
        var count: Counter
        var duration: Metrics.Timer
    }

    let listener: String
    let openConnections: Meter
    private let requests = Mutex<[RequestKey: RequestMetrics]>([:])

    init(listener: String) {
        self.listener = listener
        openConnections = Meter(label: "http_open_connections", dimensions: [("listener", listener)])
    }

    func requestCompleted(route: String, method: HTTPMethod, status: HTTPResponseStatus, duration: Duration) {
        let key = RequestKey(route: route, method: method.rawValue, status: status.code)
        let metrics = requests.withLock { cache in
            if let known = cache[key] { return known }
            let made = RequestMetrics(
                count: Counter(
                    label: "http_requests_total",
                    dimensions: [
                        ("listener", listener), ("path", route), ("method", method.rawValue),
                        ("code", "\(status.code)"),
                    ]),
                duration: Metrics.Timer(
                    label: "http_request_duration_seconds",
                    dimensions: [("listener", listener), ("path", route), ("method", method.rawValue)]))
            cache[key] = made
            return made
        }
        metrics.count.increment()
        metrics.duration.recordNanoseconds(TimeAmount(duration).nanoseconds)
    }

    func handshakeFailed(reason: String) {
        Counter(label: "tls_handshake_failures_total", dimensions: [("listener", listener), ("reason", reason)])
            .increment()
    }
}
