import EnvoyAPI
import SwiftProtobuf
import Testing
import XDS

/// Delta ADS through the gRPC service, with Envoy's own messages and
/// snapshots rendered from translated roots.
@Suite("ADS delta: Envoy's messages over the service", .timeLimit(.minutes(2)))
struct ADSDeltaTests {
    static let twoRoots = ADSRoots.table(ADSRoots.ingress("shop"), ADSRoots.ingress("blog", service: "api"))

    @Test("wildcard subscriptions get every cluster and virtual host, as Envoy's messages, and later ones too")
    func wildcard() async throws {
        var ads = try ADSServerHarness(Self.twoRoots)
        let envoy = ads.delta()
        defer { envoy.close() }
        let held = try await envoy.start()
        #expect(held[EnvoyTypeURL.cluster]?.keys.sorted() == [ADSRoots.cluster("east"), ADSRoots.cluster("west")])
        #expect(held[EnvoyTypeURL.listener]?.keys.sorted() == ["listener_8080"])
        #expect(held[EnvoyTypeURL.routeConfiguration]?.keys.sorted() == [ADSRoots.routeConfiguration])
        #expect(held[EnvoyTypeURL.virtualHost]?.keys.sorted() == ["blog", "shop"].map(ADSRoots.virtualHost))

        try ads.publish(
            ADSRoots.table(
                ADSRoots.ingress("shop"), ADSRoots.ingress("blog", service: "api"), ADSRoots.ingress("docs")))
        let added = try await envoy.next(EnvoyTypeURL.virtualHost)
        let host = try #require(try added.virtualHosts.first)
        #expect(added.names == [ADSRoots.virtualHost("docs")])
        #expect(host.name == ADSRoots.virtualHost("docs"))
        #expect(host.domains == ["docs.example.com", "docs.example.com:*"])
        #expect(host.routes.map(\.route.cluster) == [ADSRoots.cluster("east")])
        #expect(added.removedResources.isEmpty)
    }

    @Test("one root's change sends that root's virtual host and nothing else")
    func oneVirtualHost() async throws {
        var ads = try ADSServerHarness(Self.twoRoots)
        let envoy = ads.delta()
        defer { envoy.close() }
        let held = try await envoy.start()
        try ads.publish(ADSRoots.table(ADSRoots.ingress("shop", path: "/v2"), ADSRoots.ingress("blog", service: "api")))
        let changed = try await envoy.next(EnvoyTypeURL.virtualHost)
        #expect(changed.names == [ADSRoots.virtualHost("shop")])
        #expect(changed.resources[0].version != held[EnvoyTypeURL.virtualHost]?[ADSRoots.virtualHost("shop")])
        #expect(try changed.virtualHosts[0].routes[0].match.pathSeparatedPrefix == "/v2")
        try envoy.ack(changed)
        #expect(try await envoy.sentSoFar().isEmpty)
    }

    @Test("a NACKed virtual host is not sent again; the root's next version is")
    func nack() async throws {
        var ads = try ADSServerHarness(Self.twoRoots)
        let envoy = ads.delta()
        defer { envoy.close() }
        try await envoy.start()
        try ads.publish(ADSRoots.table(ADSRoots.ingress("shop", path: "/v2"), ADSRoots.ingress("blog", service: "api")))
        let refused = try await envoy.next(EnvoyTypeURL.virtualHost)
        try envoy.nack(refused, "invalid virtual host")
        #expect(try await envoy.sentSoFar().isEmpty)
        #expect(ads.registry.streams.first?.rejectedVirtualHosts == [ADSRoots.virtualHost("shop")])

        try ads.publish(ADSRoots.table(ADSRoots.ingress("shop", path: "/v3"), ADSRoots.ingress("blog", service: "api")))
        let next = try await envoy.next(EnvoyTypeURL.virtualHost)
        #expect(next.names == [ADSRoots.virtualHost("shop")])
        #expect(try next.virtualHosts[0].routes[0].match.pathSeparatedPrefix == "/v3")
        try envoy.ack(next)
        #expect(try await envoy.sentSoFar().isEmpty)
        #expect(ads.registry.streams.first?.rejections == [:])
    }

    @Test("a removed root is a removed resource; its cluster goes once that is ACKed")
    func removedRoot() async throws {
        var ads = try ADSServerHarness(Self.twoRoots)
        let envoy = ads.delta()
        defer { envoy.close() }
        try await envoy.start()
        try ads.publish(ADSRoots.table(ADSRoots.ingress("shop")))
        let removed = try await envoy.next(EnvoyTypeURL.virtualHost)
        #expect(removed.resources.isEmpty)
        #expect(removed.removedResources == [ADSRoots.virtualHost("blog")])
        #expect(try await envoy.sentSoFar().isEmpty, "west stays until Envoy dropped the routes to it")
        try envoy.ack(removed)
        let clusters = try await envoy.next(EnvoyTypeURL.cluster)
        #expect(clusters.resources.isEmpty)
        #expect(clusters.removedResources == [ADSRoots.cluster("west")])
    }

    @Test("route configurations by name: unsubscribed, subscribed again, and a name that does not exist")
    func routeConfigurationNames() async throws {
        let ads = try ADSServerHarness(Self.twoRoots)
        let envoy = ads.delta()
        defer { envoy.close() }
        try await envoy.start()
        try envoy.subscribe(EnvoyTypeURL.routeConfiguration, unsubscribe: [ADSRoots.routeConfiguration])
        #expect(try await envoy.sentSoFar().isEmpty)
        try envoy.subscribe(EnvoyTypeURL.routeConfiguration, [ADSRoots.routeConfiguration, "routes_9090"])
        let again = try await envoy.next(EnvoyTypeURL.routeConfiguration)
        #expect(again.names == [ADSRoots.routeConfiguration])
        #expect(again.removedResources == ["routes_9090"])
        let routes = try Envoy_Config_Route_V3_RouteConfiguration(unpackingAny: again.resources[0].resource)
        #expect(routes.hasVhds && routes.virtualHosts.isEmpty)
    }

    @Test("a reconnecting Envoy with initial_resource_versions is sent only what differs")
    func reconnect() async throws {
        var ads = try ADSServerHarness(Self.twoRoots)
        let before = ads.delta()
        let held = try await before.start()
        before.close()
        try ads.publish(ADSRoots.table(ADSRoots.ingress("shop", path: "/v2"), ADSRoots.ingress("blog", service: "api")))

        let envoy = ads.delta()
        defer { envoy.close() }
        for (typeURL, names) in [
            (EnvoyTypeURL.cluster, []), (EnvoyTypeURL.listener, []),
            (EnvoyTypeURL.routeConfiguration, [ADSRoots.routeConfiguration]), (EnvoyTypeURL.virtualHost, []),
        ] {
            try envoy.subscribe(typeURL, names, initial: held[typeURL] ?? [:])
        }
        // Requests are answered in order: the first response is the last type's.
        let changed = try await envoy.next(EnvoyTypeURL.virtualHost)
        #expect(changed.names == [ADSRoots.virtualHost("shop")])
        #expect(changed.removedResources.isEmpty)
        try envoy.ack(changed)
        #expect(try await envoy.sentSoFar().isEmpty)
    }
}
