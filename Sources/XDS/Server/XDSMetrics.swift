import Metrics
import SwiftProtobuf

/// The xDS server's metrics, made once per stream kind: swift-metrics looks
/// each name up in a locked registry, too slow for every response.
struct XDSMetrics: Sendable {
    private let streams: Meter
    private let nacks: [ResourceType: Counter]
    private let responses: [ResourceType: Counter]
    private let responseBytes: [ResourceType: Counter]
    private let answerTimes: [ResourceType: Metrics.Timer]

    init(delta: Bool) {
        let mode = ("mode", delta ? "delta" : "sotw")
        streams = Meter(label: "kcp_ingress_xds_streams", dimensions: [mode])
        nacks = Self.byType {
            Counter(label: "kcp_ingress_xds_nacks_total", dimensions: [("type", $0.shortName), mode])
        }
        responses = Self.byType {
            Counter(label: "kcp_ingress_xds_responses_total", dimensions: [("type", $0.shortName), mode])
        }
        responseBytes = Self.byType {
            Counter(label: "kcp_ingress_xds_response_bytes_total", dimensions: [("type", $0.shortName), mode])
        }
        answerTimes = Self.byType {
            Metrics.Timer(
                label: "kcp_ingress_xds_ack_seconds", dimensions: [("type", $0.shortName), mode],
                preferredDisplayUnit: .seconds)
        }
    }

    func streamOpened() { streams.increment() }
    func streamClosed() { streams.decrement() }

    func rejected(_ type: ResourceType) { nacks[type]!.increment() }

    /// Counts the resources' bytes (what Envoy decodes), not the framing.
    func sent(_ response: XDSResponse) {
        responses[response.type]!.increment()
        responseBytes[response.type]!.increment(by: response.resources.reduce(0) { $0 + $1.body.value.count })
    }

    /// A response sent → Envoy's ACK or NACK of it: how long Envoy took to
    /// apply it (a state-of-the-world route configuration is applied whole).
    func answered(_ type: ResourceType, after duration: Duration) { answerTimes[type]!.record(duration: duration) }

    private static func byType<Value>(_ make: (ResourceType) -> Value) -> [ResourceType: Value] {
        Dictionary(uniqueKeysWithValues: ResourceType.allCases.map { ($0, make($0)) })
    }
}
