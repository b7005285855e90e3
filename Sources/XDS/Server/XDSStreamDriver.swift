public import Logging

/// Runs one ADS stream: Envoy's requests and new snapshots go through the
/// stream's state, its responses go out. One event at a time, so the
/// state needs no lock and the responses of one stream never interleave.
public struct XDSStreamDriver: Sendable {
    let cache: SnapshotCache
    let registry: XDSStreamRegistry
    let metrics: (sotw: XDSMetrics, delta: XDSMetrics)
    let logger: Logger
    /// `--envoy-node-id`: other nodes get the same snapshot, and a note in the log.
    public var expectedNodeID = "kcp-ingress"

    public init(cache: SnapshotCache, registry: XDSStreamRegistry, logger: Logger) {
        self.cache = cache
        self.registry = registry
        self.metrics = (XDSMetrics(delta: false), XDSMetrics(delta: true))
        self.logger = logger
    }

    private enum Event: Sendable {
        case request(XDSRequest)
        case snapshot(XDSSnapshot)
        case requestsEnded
    }

    /// Serves the stream until Envoy ends it or the task is cancelled.
    public func run<Requests: AsyncSequence & Sendable>(
        delta: Bool,
        requests: Requests,
        send: @escaping @Sendable (XDSResponse) async throws -> Void
    ) async throws where Requests.Element == XDSRequest {
        let id = registry.open(delta: delta)
        let metrics = delta ? metrics.delta : metrics.sotw
        metrics.streamOpened()
        defer {
            registry.close(id)
            metrics.streamClosed()
        }
        let (events, input) = AsyncThrowingStream.makeStream(of: Event.self)
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask {
                do {
                    for try await request in requests { input.yield(.request(request)) }
                    input.yield(.requestsEnded)
                } catch {
                    input.finish(throwing: error)
                }
            }
            group.addTask {
                for await snapshot in cache.watch() { input.yield(.snapshot(snapshot)) }
            }
            defer { group.cancelAll() }
            var state = XDSStreamState(delta: delta)
            // Requests wait for the first snapshot: answered without one,
            // Envoy would drop every route it holds.
            var snapshot = cache.current
            var waiting: [XDSRequest] = []
            var logger = logger
            logger[metadataKey: "stream"] = "\(id)"
            var nodeSeen = false
            // When each type's response in flight went out, to time Envoy's answer.
            var sentAt: [ResourceType: ContinuousClock.Instant] = [:]
            func take(_ outcome: XDSRequestOutcome) -> Bool {
                switch outcome {
                case .acknowledged(let type, _), .rejected(let type, _, _):
                    if let sent = sentAt.removeValue(forKey: type) {
                        metrics.answered(type, after: sent.duration(to: .now))
                    }
                default: break
                }
                return observe(outcome, metrics: metrics, logger: logger)
            }
            for try await event in events {
                // Only a request changes what Envoy holds or asks for: the
                // registry (and every root's readiness) hears of those alone.
                var heard = false
                switch event {
                case .requestsEnded:
                    return
                case .snapshot(let next):
                    snapshot = next
                    for request in waiting {
                        heard = take(state.receive(request, snapshot: next)) || heard
                    }
                    waiting = []
                case .request(let request):
                    if !nodeSeen, !request.nodeID.isEmpty {
                        // Envoy names its node in the first request only.
                        nodeSeen = true
                        logger[metadataKey: "node"] = "\(request.nodeID)"
                        logger.info("Envoy connected", metadata: ["delta": "\(delta)"])
                        if request.nodeID != expectedNodeID {
                            logger.notice(
                                "Envoy's node id is not --envoy-node-id; it is served the same routes",
                                metadata: ["expected": "\(expectedNodeID)"])
                        }
                        registry.update(id) { $0.nodeID = request.nodeID }
                    }
                    guard let snapshot else {
                        waiting.append(request)
                        continue
                    }
                    heard = take(state.receive(request, snapshot: snapshot))
                }
                guard let snapshot else { continue }
                for response in state.responses(for: snapshot) {
                    try await send(response)
                    sentAt[response.type] = .now
                    metrics.sent(response)
                    logger.debug(
                        "sent", metadata: ["type": "\(response.type.shortName)", "version": "\(response.versionInfo)"])
                }
                if heard { record(state, id: id) }
            }
        }
    }

    /// Logs and counts what a request meant; false for one that cannot
    /// have changed what Envoy holds or asks for.
    private func observe(_ outcome: XDSRequestOutcome, metrics: XDSMetrics, logger: Logger) -> Bool {
        switch outcome {
        case .rejected(let type, let error, let resources):
            metrics.rejected(type)
            logger.warning(
                "Envoy rejected a response; it keeps its previous configuration",
                metadata: ["type": "\(type.shortName)", "error": "\(error)", "resources": "\(resources.prefix(20))"])
            return true
        case .unknownType(let url):
            logger.debug("request for a type this server does not serve", metadata: ["type": "\(url)"])
            return false
        case .stale(let type):
            // A stale delta request still changes the subscription.
            logger.trace("stale nonce ignored", metadata: ["type": "\(type.shortName)"])
            return true
        case .subscribed, .acknowledged:
            return true
        }
    }

    private func record(_ state: XDSStreamState, id: Int) {
        registry.update(id) { stream in
            stream.routesSubscribed = state.routesSubscribed
            stream.acceptedVirtualHosts = state.acceptedVirtualHosts
            stream.acceptedVersionInfo = state.acceptedVersionInfo
            stream.rejections = state.rejections
            stream.rejectedVirtualHosts = state.rejectedVirtualHosts
        }
    }
}
