import EnvoyAPI
import Testing
import XDS

/// State-of-the-world ADS through the gRPC service, with Envoy's own
/// messages and snapshots rendered from translated roots.
@Suite("ADS state of the world: Envoy's messages over the service", .timeLimit(.minutes(2)))
struct ADSStateOfTheWorldTests {
    @Test("Envoy's start: clusters, listener and routes as Envoy's messages; an ACK is not answered again")
    func startAndAck() async throws {
        let ads = try ADSServerHarness(ADSRoots.table(ADSRoots.ingress("shop")))
        let envoy = ads.stateOfTheWorld()
        defer { envoy.close() }
        let (clusters, listeners, routes) = try await envoy.start()
        let cluster = try #require(try clusters.clusters.first)
        #expect(try clusters.clusters.map(\.name) == [ADSRoots.cluster("east")])
        #expect(
            cluster.loadAssignment.endpoints[0].lbEndpoints[0].endpoint.address.socketAddress.address == "192.0.2.1")
        let listener = try #require(try listeners.listeners.first)
        #expect(listener.name == "listener_8080")
        #expect(listener.address.socketAddress.portValue == 8080)
        let host = try #require(try routes.routeConfigurations.first?.virtualHosts.first)
        #expect(host.name == ADSRoots.virtualHost("shop"))
        #expect(host.domains == ["shop.example.com", "shop.example.com:*"])
        #expect(host.routes.map(\.route.cluster) == [ADSRoots.cluster("east")])
        #expect(Set([clusters.nonce, listeners.nonce, routes.nonce]).count == 3)
        #expect(ads.registry.streams.map(\.nodeID) == ["kcp-ingress"])
        // Every ACK echoed its version: nothing is sent again.
        #expect(try await envoy.sentSoFar().isEmpty)
    }

    @Test("a NACKed version is not sent again, even when Envoy asks again; the next version is")
    func nack() async throws {
        var ads = try ADSServerHarness(ADSRoots.table(ADSRoots.ingress("shop")))
        let envoy = ads.stateOfTheWorld()
        defer { envoy.close() }
        let accepted = try await envoy.start().routes
        try ads.publish(ADSRoots.table(ADSRoots.ingress("shop", path: "/v2")))
        let refused = try await envoy.next(EnvoyTypeURL.routeConfiguration)
        try envoy.nack(refused, "invalid route")
        // Envoy asks again, on the version it still runs.
        try envoy.changeNames(EnvoyTypeURL.routeConfiguration, to: [ADSRoots.routeConfiguration], latest: refused)
        #expect(try await envoy.sentSoFar().isEmpty)
        #expect(ads.registry.streams.first?.rejections == [.routeConfiguration: "invalid route"])
        #expect(ads.registry.streams.first?.acceptedVirtualHosts.count == 1)

        try ads.publish(ADSRoots.table(ADSRoots.ingress("shop", path: "/v3")))
        let next = try await envoy.next(EnvoyTypeURL.routeConfiguration)
        #expect(![accepted.versionInfo, refused.versionInfo].contains(next.versionInfo))
        let route = try #require(try next.routeConfigurations.first?.virtualHosts.first?.routes.first)
        #expect(route.match.pathSeparatedPrefix == "/v3")
        try envoy.ack(next)
        #expect(try await envoy.sentSoFar().isEmpty)
        #expect(ads.registry.streams.first?.rejections == [:])
    }

    @Test("a request with a stale or unknown nonce settles nothing")
    func staleNonce() async throws {
        var ads = try ADSServerHarness(ADSRoots.table(ADSRoots.ingress("shop")))
        let envoy = ads.stateOfTheWorld()
        defer { envoy.close() }
        let first = try await envoy.start().clusters
        // A second root on west: its cluster goes first, its routes wait for the ACK.
        try ads.publish(ADSRoots.table(ADSRoots.ingress("shop"), ADSRoots.ingress("blog", service: "api")))
        let pending = try await envoy.next(EnvoyTypeURL.cluster)
        // A late ACK of the first response, then a nonce this stream never sent.
        try envoy.send(envoy.request(EnvoyTypeURL.cluster, names: [], version: first.versionInfo, nonce: first.nonce))
        try envoy.send(envoy.request(EnvoyTypeURL.cluster, names: [], version: pending.versionInfo, nonce: "x"))
        #expect(try await envoy.sentSoFar().isEmpty, "the routes to west must still wait")
        try envoy.ack(pending)
        let routes = try await envoy.next(EnvoyTypeURL.routeConfiguration)
        #expect(try routes.routeConfigurations[0].virtualHosts.map(\.name).contains(ADSRoots.virtualHost("blog")))
    }

    @Test("make before break: new clusters, then the routes once they are ACKed, then old clusters go")
    func makeBeforeBreak() async throws {
        var ads = try ADSServerHarness(ADSRoots.table(ADSRoots.ingress("shop")))
        let envoy = ads.stateOfTheWorld()
        defer { envoy.close() }
        _ = try await envoy.start()
        // The root's backend moves from east to west.
        try ads.publish(ADSRoots.table(ADSRoots.ingress("shop", service: "api")))
        let added = try await envoy.next(EnvoyTypeURL.cluster)
        #expect(try added.clusters.map(\.name) == [ADSRoots.cluster("east"), ADSRoots.cluster("west")])
        #expect(try await envoy.sentSoFar().isEmpty, "no route to west before Envoy has west")
        try envoy.ack(added)
        let moved = try await envoy.next(EnvoyTypeURL.routeConfiguration)
        let host = try #require(try moved.routeConfigurations.first?.virtualHosts.first)
        #expect(host.routes.map(\.route.cluster) == [ADSRoots.cluster("west")])
        #expect(try await envoy.sentSoFar().isEmpty, "east stays while Envoy's routes may name it")
        try envoy.ack(moved)
        let removed = try await envoy.next(EnvoyTypeURL.cluster)
        #expect(try removed.clusters.map(\.name) == [ADSRoots.cluster("west")])
        try envoy.ack(removed)
        #expect(try await envoy.sentSoFar().isEmpty)
    }

    @Test("new route names after an ACK (the listener moved) are answered")
    func routeNamesChange() async throws {
        var ads = try ADSServerHarness(ADSRoots.table(ADSRoots.ingress("shop")))
        let envoy = ads.stateOfTheWorld()
        defer { envoy.close() }
        _ = try await envoy.start()
        try ads.publish(ADSRoots.table(ADSRoots.ingress("shop"), listenerPort: 9090))
        // The new listener, and routes_8080 gone from the snapshot (in
        // either order: the routes' last ACK may be read after the snapshot).
        let both = [try await envoy.next(), try await envoy.next()]
        let listeners = try #require(both.first { $0.typeURL == EnvoyTypeURL.listener })
        let gone = try #require(both.first { $0.typeURL == EnvoyTypeURL.routeConfiguration })
        #expect(try listeners.listeners.map(\.name) == ["listener_9090"])
        #expect(gone.resources.isEmpty)
        try envoy.ack(listeners)
        try envoy.ack(gone)
        try envoy.changeNames(EnvoyTypeURL.routeConfiguration, to: ["routes_9090"], latest: gone)
        let sent = try await envoy.sentSoFar()
        #expect(sent.map(\.typeURL) == [EnvoyTypeURL.routeConfiguration])
        #expect(try sent.first?.routeConfigurations.map(\.name) == ["routes_9090"])
    }

    @Test("a thousand snapshots while a response is unanswered give one response after the ACK")
    func burst() async throws {
        var ads = try ADSServerHarness(ADSRoots.table(ADSRoots.ingress("shop")))
        let envoy = ads.stateOfTheWorld()
        defer { envoy.close() }
        _ = try await envoy.start()
        try ads.publish(ADSRoots.table(ADSRoots.ingress("shop", path: "/v1")))
        let unanswered = try await envoy.next(EnvoyTypeURL.routeConfiguration)
        for version in 2...1000 {
            var table = ADSRoots.table(ADSRoots.ingress("shop", path: "/v\(version)"))
            // The last one changes the listener too: its answer shows the
            // server has seen every snapshot.
            if version == 1000 { table.listener.stripsHostPort = false }
            try ads.publish(table)
        }
        let listeners = try await envoy.next(EnvoyTypeURL.listener)
        try envoy.ack(listeners)
        try envoy.ack(unanswered)
        let latest = try await envoy.next(EnvoyTypeURL.routeConfiguration)
        let route = try #require(try latest.routeConfigurations.first?.virtualHosts.first?.routes.first)
        #expect(route.match.pathSeparatedPrefix == "/v1000")
        try envoy.ack(latest)
        #expect(try await envoy.sentSoFar().isEmpty)
    }
}
