import EnvoyAPI
import SwiftProtobuf
import Synchronization
import Testing

/// Delta requests as Envoy's delta mux sends them: subscription changes
/// without a nonce, ACKs and NACKs with the nonce of the response only.
extension EnvoyADSStream
where
    Request == Envoy_Service_Discovery_V3_DeltaDiscoveryRequest,
    Response == Envoy_Service_Discovery_V3_DeltaDiscoveryResponse
{
    /// Subscribes and unsubscribes (no names at all on a first request: a
    /// wildcard subscription). `initial` is what Envoy holds after a reconnect.
    func subscribe(
        _ typeURL: String, _ names: [String] = [], unsubscribe: [String] = [], initial: [String: String] = [:]
    ) throws {
        var request = Request()
        if takeFirstRequest() { request.node = EnvoyNode.node }
        request.typeURL = typeURL
        request.resourceNamesSubscribe = names
        request.resourceNamesUnsubscribe = unsubscribe
        request.initialResourceVersions = initial
        try send(request)
    }

    func ack(_ response: Response) throws {
        var request = Request()
        request.typeURL = response.typeURL
        request.responseNonce = response.nonce
        try send(request)
    }

    func nack(_ response: Response, _ reason: String) throws {
        var request = Request()
        request.typeURL = response.typeURL
        request.responseNonce = response.nonce
        request.errorDetail = EnvoyNode.error(reason)
        try send(request)
    }

    func next(_ typeURL: String, sourceLocation: SourceLocation = #_sourceLocation) async throws -> Response {
        let response = try await next(sourceLocation: sourceLocation)
        try #require(response.typeURL == typeURL, "got \(response.typeURL)", sourceLocation: sourceLocation)
        return response
    }

    /// Envoy's start over delta ADS: clusters and listeners by wildcard,
    /// the listener's route configuration by name, then its virtual hosts
    /// (VHDS) by wildcard; each response ACKed. Returns the versions Envoy
    /// then holds, per type URL, for a reconnect.
    @discardableResult
    func start() async throws -> [String: [String: String]] {
        var held: [String: [String: String]] = [:]
        for (typeURL, names) in [
            (EnvoyTypeURL.cluster, []), (EnvoyTypeURL.listener, []),
            (EnvoyTypeURL.routeConfiguration, [ADSRoots.routeConfiguration]), (EnvoyTypeURL.virtualHost, []),
        ] {
            try subscribe(typeURL, names)
            let response = try await next(typeURL)
            try ack(response)
            held[typeURL] = Dictionary(uniqueKeysWithValues: response.resources.map { ($0.name, $0.version) })
        }
        return held
    }

    /// Every response the server sent before it read this point of the
    /// stream: a route configuration that does not exist is asked for, and
    /// the server always says so at once; what arrives before that answer
    /// was sent before. (Only while no route configuration response is
    /// unanswered.)
    func sentSoFar() async throws -> [Response] {
        let probe = "probe-\(probes.add(1, ordering: .relaxed).newValue)"
        try subscribe(EnvoyTypeURL.routeConfiguration, [probe])
        var others: [Response] = []
        for _ in 0..<20 {
            let response = try await next()
            if response.typeURL == EnvoyTypeURL.routeConfiguration, response.removedResources == [probe] {
                try ack(response)
                try subscribe(EnvoyTypeURL.routeConfiguration, unsubscribe: [probe])
                return others
            }
            others.append(response)
        }
        Issue.record("no answer about \(probe) among 20 responses")
        return others
    }
}

/// Distinct names for the probes of `sentSoFar`.
private let probes = Atomic<Int>(0)

extension Envoy_Service_Discovery_V3_DeltaDiscoveryResponse {
    var names: [String] { resources.map(\.name) }

    var virtualHosts: [Envoy_Config_Route_V3_VirtualHost] {
        get throws { try resources.map { try Envoy_Config_Route_V3_VirtualHost(unpackingAny: $0.resource) } }
    }

    var clusters: [Envoy_Config_Cluster_V3_Cluster] {
        get throws { try resources.map { try Envoy_Config_Cluster_V3_Cluster(unpackingAny: $0.resource) } }
    }
}
