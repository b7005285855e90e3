import EnvoyAPI
import SwiftProtobuf
import Synchronization
import Testing

/// State-of-the-world requests as Envoy's gRPC mux sends them: every
/// request of a type repeats the names asked for, the version accepted
/// last and the nonce of the latest response of that type.
extension EnvoyADSStream
where
    Request == Envoy_Service_Discovery_V3_DiscoveryRequest, Response == Envoy_Service_Discovery_V3_DiscoveryResponse
{
    /// A new subscription to `typeURL` (no nonce, no version).
    func subscribe(_ typeURL: String, names: [String] = []) throws {
        memory.withLock { $0.names[typeURL] = names }
        var request = Request()
        if takeFirstRequest() { request.node = EnvoyNode.node }
        request.typeURL = typeURL
        request.resourceNames = names
        try send(request)
    }

    /// Envoy applied `response`: its version and nonce echoed.
    func ack(_ response: Response) throws {
        let names = memory.withLock { memory in
            memory.accepted[response.typeURL] = response.versionInfo
            return memory.names[response.typeURL] ?? []
        }
        try send(request(response.typeURL, names: names, version: response.versionInfo, nonce: response.nonce))
    }

    /// Envoy refused `response`: the version it still runs, the refused
    /// response's nonce, and why.
    func nack(_ response: Response, _ reason: String) throws {
        let (names, version) = memory.withLock {
            ($0.names[response.typeURL] ?? [], $0.accepted[response.typeURL] ?? "")
        }
        var request = request(response.typeURL, names: names, version: version, nonce: response.nonce)
        request.errorDetail = EnvoyNode.error(reason)
        try send(request)
    }

    /// Envoy asks for other names of a type it already receives: the
    /// accepted version and the latest nonce of that type go with them.
    func changeNames(_ typeURL: String, to names: [String], latest: Response) throws {
        let version = memory.withLock { memory in
            memory.names[typeURL] = names
            return memory.accepted[typeURL] ?? ""
        }
        try send(request(typeURL, names: names, version: version, nonce: latest.nonce))
    }

    func request(_ typeURL: String, names: [String], version: String, nonce: String) -> Request {
        var request = Request()
        request.typeURL = typeURL
        request.resourceNames = names
        request.versionInfo = version
        request.responseNonce = nonce
        return request
    }

    /// The next response, which must be of `typeURL`.
    func next(
        _ typeURL: String, sourceLocation: SourceLocation = #_sourceLocation
    ) async throws -> Response {
        let response = try await next(sourceLocation: sourceLocation)
        try #require(response.typeURL == typeURL, "got \(response.typeURL)", sourceLocation: sourceLocation)
        return response
    }

    /// Envoy's start under ADS: clusters, then the listener, then the
    /// routes the listener names, each ACKed once applied. The routes' ACK
    /// may still be on its way when this returns.
    func start() async throws -> (clusters: Response, listeners: Response, routes: Response) {
        try subscribe(EnvoyTypeURL.cluster)
        let clusters = try await next(EnvoyTypeURL.cluster)
        try ack(clusters)
        try subscribe(EnvoyTypeURL.listener)
        let listeners = try await next(EnvoyTypeURL.listener)
        // Envoy holds its route requests back until it has ACKed the listeners.
        try ack(listeners)
        try subscribe(EnvoyTypeURL.routeConfiguration, names: [ADSRoots.routeConfiguration])
        let routes = try await next(EnvoyTypeURL.routeConfiguration)
        try ack(routes)
        return (clusters, listeners, routes)
    }

    /// Every response the server sent before it read this point of the
    /// stream. Requests are handled one at a time, in order, and each
    /// one's responses are written before the next is read; so a fresh
    /// listener request, which is always answered, marks the point: what
    /// arrives before its answer was sent before. (Only while no listener
    /// response is unanswered.)
    func sentSoFar() async throws -> [Response] {
        var request = Request()
        request.typeURL = EnvoyTypeURL.listener
        try send(request)
        var others: [Response] = []
        for _ in 0..<20 {
            let response = try await next()
            if response.typeURL == EnvoyTypeURL.listener {
                try ack(response)
                return others
            }
            others.append(response)
        }
        Issue.record("no answer to the listener request among 20 responses")
        return others
    }
}

extension Envoy_Service_Discovery_V3_DiscoveryResponse {
    /// The resources decoded as Envoy decodes them: by their type URL.
    var clusters: [Envoy_Config_Cluster_V3_Cluster] {
        get throws { try resources.map { try Envoy_Config_Cluster_V3_Cluster(unpackingAny: $0) } }
    }

    var listeners: [Envoy_Config_Listener_V3_Listener] {
        get throws { try resources.map { try Envoy_Config_Listener_V3_Listener(unpackingAny: $0) } }
    }

    var routeConfigurations: [Envoy_Config_Route_V3_RouteConfiguration] {
        get throws { try resources.map { try Envoy_Config_Route_V3_RouteConfiguration(unpackingAny: $0) } }
    }
}
