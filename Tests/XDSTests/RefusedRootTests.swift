import EnvoyAPI
import KubeAPI
import Placement
import SwiftProtobuf
import Testing

@testable import XDS

/// One root whose routes Envoy refuses must not hold back the others.
@Suite struct RefusedRootTests {
    let listener = EnvoyListener(address: "127.0.0.1", port: 8080)
    let east = GatewayCluster(endpoints: [GatewayAddress(host: "192.0.2.1")])!

    func host(_ name: String, path: String) -> EnvoyVirtualHost {
        let root = RootIdentity(kind: .ingress, key: ObjectKey(namespace: "shop", name: name))
        return EnvoyVirtualHost(
            name: RouteTable.virtualHostName(routeConfigurationName: listener.routeConfigurationName, root: root),
            domains: ["\(name).example"],
            routes: [
                EnvoyRoute(
                    match: RouteMatch(path: .prefix(path)),
                    action: .weightedClusters([WeightedCluster(cluster: east.name, weight: 1)]))
            ], root: root, hosts: ["\(name).example"])
    }

    func snapshot(_ renderer: inout SnapshotRenderer, a: String, b: String) throws -> XDSSnapshot {
        try renderer.render(
            RouteTable(listener: listener, virtualHosts: [host("a", path: a), host("b", path: b)], clusters: [east])
        ).snapshot
    }

    /// A stream that holds everything of `snapshot`.
    func synced(delta: Bool, _ snapshot: XDSSnapshot) -> XDSStreamState {
        var stream = XDSStreamState(delta: delta)
        for type in ResourceType.allCases {
            let request =
                delta
                ? Fixture.deltaRequest(type, subscribe: type == .routeConfiguration ? ["routes_8080"] : [])
                : Fixture.request(type, names: type == .routeConfiguration ? ["routes_8080"] : [])
            for response in stream.handle(request, snapshot).1 {
                for next in stream.ack(response, snapshot) { _ = stream.ack(next, snapshot) }
            }
        }
        return stream
    }

    func refuse(_ stream: inout XDSStreamState, _ response: XDSResponse, _ snapshot: XDSSnapshot) {
        let request =
            stream.delta
            ? Fixture.deltaRequest(response.type, nonce: response.nonce, error: "bad regex")
            : Fixture.request(
                response.type, nonce: response.nonce, version: "held",
                names: response.type == .routeConfiguration ? ["routes_8080"] : [], error: "bad regex")
        _ = stream.handle(request, snapshot)
    }

    @Test func deltaSendsTheOtherRootsChangesWithoutTheRefusedOne() throws {
        var renderer = SnapshotRenderer()
        let first = try snapshot(&renderer, a: "/a", b: "/b")
        var stream = synced(delta: true, first)
        let bad = try snapshot(&renderer, a: "/(unclosed", b: "/b")
        let sent = stream.responses(for: bad)
        #expect(sent.map(\.type) == [.virtualHost])
        refuse(&stream, sent[0], bad)
        let next = try snapshot(&renderer, a: "/(unclosed", b: "/b2")
        let responses = stream.responses(for: next)
        #expect(responses.map(\.type) == [.virtualHost])
        #expect(responses.first?.resources.map(\.name) == ["routes_8080/ingress.shop.b"])
    }

    @Test func stateOfTheWorldKeepsTheRefusedVirtualHostAtWhatEnvoyHolds() throws {
        var renderer = SnapshotRenderer()
        let first = try snapshot(&renderer, a: "/a", b: "/b")
        var stream = synced(delta: false, first)
        let heldA = first.virtualHosts["routes_8080/ingress.shop.a"]!.version
        let bad = try snapshot(&renderer, a: "/(unclosed", b: "/b")
        let sent = stream.responses(for: bad)
        #expect(sent.map(\.type) == [.routeConfiguration])
        refuse(&stream, sent[0], bad)
        #expect(stream.responses(for: bad).isEmpty)

        let next = try snapshot(&renderer, a: "/(unclosed", b: "/b2")
        let responses = stream.responses(for: next)
        #expect(responses.map(\.type) == [.routeConfiguration])
        let configuration = try Envoy_Config_Route_V3_RouteConfiguration(
            serializedBytes: try #require(responses.first?.resources.first).body.value)
        let paths = configuration.virtualHosts.map { ($0.name, $0.routes[0].match.prefix) }
        #expect(paths.map(\.0) == ["routes_8080/ingress.shop.a", "routes_8080/ingress.shop.b"])
        #expect(paths.map(\.1) == ["/a", "/b2"])
        #expect(responses.first?.resources.first?.virtualHosts["routes_8080/ingress.shop.a"] == heldA)
    }
}
