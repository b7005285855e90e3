import Foundation
import SwiftProtobuf
import XDS

/// Resources with made-up bodies: the stream logic only looks at names,
/// versions and which clusters a route names.
enum Fixture {
    static func resource(
        _ type: ResourceType, _ name: String, content: String = "", clusters: Set<String> = [],
        virtualHosts: [String: String] = [:]
    ) -> XDSResource {
        var body = Google_Protobuf_Any()
        body.typeURL = type.typeURL
        body.value = Data("\(name)|\(content)".utf8)
        return XDSResource(name: name, body: body, clusters: clusters, virtualHosts: virtualHosts)
    }

    static func cluster(_ name: String, _ content: String = "") -> XDSResource {
        resource(.cluster, name, content: content)
    }

    static func virtualHost(_ name: String, _ cluster: String, _ content: String = "") -> XDSResource {
        resource(.virtualHost, name, content: content + cluster, clusters: [cluster])
    }

    static func listener(_ content: String = "") -> XDSResource {
        resource(.listener, "listener_80", content: content)
    }

    /// A snapshot whose route configuration carries `hosts` inline (state
    /// of the world) and as VHDS resources (delta).
    static func snapshot(_ sequence: UInt64, clusters: [XDSResource], hosts: [XDSResource]) -> XDSSnapshot {
        let inline = resource(
            .routeConfiguration, "routes", content: hosts.map(\.version).joined(separator: ","),
            clusters: hosts.reduce(into: Set()) { $0.formUnion($1.clusters) },
            virtualHosts: Dictionary(uniqueKeysWithValues: hosts.map { ($0.name, $0.version) }))
        return XDSSnapshot(
            sequence: sequence, clusters: clusters, listeners: [listener()], inlineRouteConfigurations: [inline],
            vhdsRouteConfigurations: [resource(.routeConfiguration, "routes", content: "vhds")], virtualHosts: hosts)
    }

    static func request(
        _ type: ResourceType, nonce: String = "", version: String = "", names: [String] = [], error: String? = nil
    ) -> XDSRequest {
        var request = XDSRequest(typeURL: type.typeURL)
        request.responseNonce = nonce
        request.versionInfo = version
        request.resourceNames = names
        request.errorDetail = error
        return request
    }

    static func deltaRequest(
        _ type: ResourceType, nonce: String = "", subscribe: [String] = [], unsubscribe: [String] = [],
        initial: [String: String] = [:], error: String? = nil
    ) -> XDSRequest {
        var request = XDSRequest(typeURL: type.typeURL)
        request.responseNonce = nonce
        request.subscribe = subscribe
        request.unsubscribe = unsubscribe
        request.initialVersions = initial
        request.errorDetail = error
        return request
    }
}

extension XDSStreamState {
    /// Receives a request and returns what goes out after it.
    mutating func handle(_ request: XDSRequest, _ snapshot: XDSSnapshot) -> (XDSRequestOutcome, [XDSResponse]) {
        let outcome = receive(request, snapshot: snapshot)
        return (outcome, responses(for: snapshot))
    }

    /// ACKs a response as Envoy would.
    mutating func ack(_ response: XDSResponse, _ snapshot: XDSSnapshot) -> [XDSResponse] {
        if delta {
            return handle(Fixture.deltaRequest(response.type, nonce: response.nonce), snapshot).1
        }
        // Envoy asks again for the route configurations it asked for.
        let names = response.type == .routeConfiguration ? response.resources.map(\.name) : []
        return handle(
            Fixture.request(response.type, nonce: response.nonce, version: response.versionInfo, names: names),
            snapshot
        ).1
    }
}
