import Synchronization

public typealias ServingStatus = Grpc_Health_V1_HealthCheckResponse.ServingStatus

/// The serving status of each service name (`""` is the whole server), and
/// the watchers waiting for it to change.
public final class HealthStatusRegistry: Sendable {
    private struct State {
        var statuses: [String: ServingStatus] = [:]
        var watchers: [String: [Int: AsyncStream<ServingStatus>.Continuation]] = [:]
        var nextWatcher = 0
        var closed = false
    }

    private let state = Mutex(State())

    public init() {}

    public func set(_ service: String, _ status: ServingStatus) {
        let watchers = state.withLock { state -> [AsyncStream<ServingStatus>.Continuation] in
            guard state.statuses[service] != status else { return [] }
            state.statuses[service] = status
            return Array(state.watchers[service, default: [:]].values)
        }
        for watcher in watchers { watcher.yield(status) }
    }

    public func status(_ service: String) -> ServingStatus? {
        state.withLock { $0.statuses[service] }
    }

    /// The status now (SERVICE_UNKNOWN for a name never set), then each
    /// change, until `shutDown()`.
    func watch(_ service: String) -> AsyncStream<ServingStatus> {
        let (stream, continuation) = AsyncStream.makeStream(
            of: ServingStatus.self, bufferingPolicy: .bufferingNewest(1))
        let id = state.withLock { state -> Int? in
            continuation.yield(state.statuses[service] ?? .serviceUnknown)
            guard !state.closed else { return nil }
            state.nextWatcher += 1
            state.watchers[service, default: [:]][state.nextWatcher] = continuation
            return state.nextWatcher
        }
        guard let id else {
            continuation.finish()
            return stream
        }
        continuation.onTermination = { _ in
            self.state.withLock { _ = $0.watchers[service]?.removeValue(forKey: id) }
        }
        return stream
    }

    /// Every service becomes NOT_SERVING; watchers see it, then their
    /// streams end, so that their calls finish and a draining server can close.
    public func shutDown() {
        let watchers = state.withLock { state -> [(String, AsyncStream<ServingStatus>.Continuation)] in
            state.closed = true
            for key in state.statuses.keys { state.statuses[key] = .notServing }
            let all = state.watchers.flatMap { service, byID in byID.values.map { (service, $0) } }
            state.watchers = [:]
            return all
        }
        for (service, watcher) in watchers {
            if self.status(service) != nil { watcher.yield(.notServing) }
            watcher.finish()
        }
    }
}

/// `grpc.health.v1.Health`: `Check` and `Watch`, as Kubernetes' gRPC probe
/// and grpc_health_probe call them.
public struct HealthService: GRPCService {
    public let registry: HealthStatusRegistry

    public init(registry: HealthStatusRegistry) {
        self.registry = registry
    }

    public var serviceName: String { "grpc.health.v1.Health" }

    public var methods: [String: GRPCMethod] {
        [
            "Check": .unary { (request: Grpc_Health_V1_HealthCheckRequest) in
                guard let status = registry.status(request.service) else {
                    throw GRPCStatus(.notFound, "unknown service \(request.service)")
                }
                var response = Grpc_Health_V1_HealthCheckResponse()
                response.status = status
                return response
            },
            "Watch": .serverStreaming {
                (
                    request: Grpc_Health_V1_HealthCheckRequest,
                    writer: GRPCStreamWriter<Grpc_Health_V1_HealthCheckResponse>
                ) in
                for await status in registry.watch(request.service) {
                    var response = Grpc_Health_V1_HealthCheckResponse()
                    response.status = status
                    try await writer.send(response)
                }
            },
        ]
    }
}
