import Testing
import XDS

@Suite struct DeltaStreamTests {
    let east = Fixture.cluster("east")
    let hostA = Fixture.virtualHost("routes/a", "east")
    let hostB = Fixture.virtualHost("routes/b", "east")

    /// A stream that subscribed to everything and ACKed it.
    func synced(_ snapshot: XDSSnapshot) -> XDSStreamState {
        var stream = XDSStreamState(delta: true)
        for type in ResourceType.allCases {
            let subscribe = type == .routeConfiguration ? ["routes"] : []
            for response in stream.handle(Fixture.deltaRequest(type, subscribe: subscribe), snapshot).1 {
                for next in stream.ack(response, snapshot) { _ = stream.ack(next, snapshot) }
            }
        }
        return stream
    }

    @Test func aOneRootChangeSendsThatRootOnly() {
        let before = Fixture.snapshot(1, clusters: [east], hosts: [hostA, hostB])
        var stream = synced(before)
        #expect(stream.acceptedVirtualHosts.keys.sorted() == ["routes/a", "routes/b"])
        let changedB = Fixture.virtualHost("routes/b", "east", "new path")
        let after = Fixture.snapshot(2, clusters: [east], hosts: [hostA, changedB])
        let responses = stream.responses(for: after)
        #expect(responses.count == 1)
        #expect(responses[0].type == .virtualHost)
        #expect(responses[0].resources.map(\.name) == ["routes/b"])
        #expect(responses[0].removed.isEmpty)
        #expect(responses[0].versionInfo == "2")
    }

    @Test func aDeletedRootIsARemovedResource() {
        var stream = synced(Fixture.snapshot(1, clusters: [east], hosts: [hostA, hostB]))
        let after = Fixture.snapshot(2, clusters: [east], hosts: [hostA])
        let responses = stream.responses(for: after)
        #expect(responses.map(\.type) == [.virtualHost])
        #expect(responses[0].resources.isEmpty)
        #expect(responses[0].removed == ["routes/b"])
        #expect(stream.ack(responses[0], after).isEmpty)
        #expect(stream.acceptedVirtualHosts.keys.sorted() == ["routes/a"])
    }

    /// With no roots, the first VHDS answer must still name something in the
    /// route configuration's namespace, or Envoy's watch never hears of it.
    @Test(arguments: [[], ["routes"]])
    func aFirstVirtualHostAnswerWithNoRootsNamesTheRouteConfigurationsNamespace(subscribe: [String]) {
        let snapshot = Fixture.snapshot(1, clusters: [], hosts: [])
        var stream = XDSStreamState(delta: true)
        let first = stream.handle(Fixture.deltaRequest(.virtualHost, subscribe: subscribe), snapshot).1
        #expect(first.count == 1)
        #expect(first[0].resources.isEmpty)
        #expect(first[0].removed == ["routes/"])
        #expect(stream.ack(first[0], snapshot).isEmpty)
        #expect(stream.acceptedVirtualHosts.isEmpty)
        // Once answered, an unchanged empty snapshot sends nothing more.
        #expect(stream.responses(for: Fixture.snapshot(2, clusters: [], hosts: [])).isEmpty)
    }

    /// Envoy's VHDS subscribes to the route configuration's name: a
    /// namespace, whose virtual hosts it gets, and not a missing resource.
    @Test func aVirtualHostSubscriptionToTheRouteConfigurationTakesItsVirtualHosts() {
        let snapshot = Fixture.snapshot(1, clusters: [east], hosts: [hostA])
        var stream = XDSStreamState(delta: true)
        for response in stream.handle(Fixture.deltaRequest(.cluster), snapshot).1 { _ = stream.ack(response, snapshot) }
        let first = stream.handle(Fixture.deltaRequest(.virtualHost, subscribe: ["routes"]), snapshot).1
        #expect(first.count == 1)
        #expect(first.first?.resources.map(\.name) == ["routes/a"])
        #expect(first.first?.removed == [])
    }

    @Test func reconnectingWithCurrentVersionsSendsNothing() {
        let snapshot = Fixture.snapshot(1, clusters: [east], hosts: [hostA, hostB])
        var stream = XDSStreamState(delta: true)
        let clusters = stream.handle(Fixture.deltaRequest(.cluster, initial: ["east": east.version]), snapshot)
        #expect(clusters.1.isEmpty)
        let initial = ["routes/a": hostA.version, "routes/b": "stale"]
        let hosts = stream.handle(Fixture.deltaRequest(.virtualHost, initial: initial), snapshot).1
        #expect(hosts.count == 1)
        #expect(hosts[0].resources.map(\.name) == ["routes/b"])
    }

    @Test func aMissingNameIsReportedRemovedOnceAndUnsubscribingDropsIt() {
        let snapshot = Fixture.snapshot(1, clusters: [east], hosts: [])
        var stream = XDSStreamState(delta: true)
        let first = stream.handle(Fixture.deltaRequest(.routeConfiguration, subscribe: ["routes", "other"]), snapshot).1
        #expect(first.count == 1)
        #expect(first[0].resources.map(\.name) == ["routes"])
        #expect(first[0].removed == ["other"])
        #expect(stream.ack(first[0], snapshot).isEmpty)
        // Unsubscribing from what Envoy holds needs no answer, and the
        // resource is not sent again while unsubscribed.
        let (_, after) = stream.handle(Fixture.deltaRequest(.routeConfiguration, unsubscribe: ["routes"]), snapshot)
        #expect(after.isEmpty)
        #expect(stream.acceptedVersions(.routeConfiguration).isEmpty)
    }

    @Test func subscriptionChangesCountEvenOnAStaleNonce() {
        let snapshot = Fixture.snapshot(1, clusters: [east], hosts: [])
        var stream = XDSStreamState(delta: true)
        let first = stream.handle(Fixture.deltaRequest(.routeConfiguration, subscribe: ["other"]), snapshot).1
        #expect(first.count == 1)
        let (outcome, responses) = stream.handle(
            Fixture.deltaRequest(.routeConfiguration, nonce: "999", subscribe: ["routes"]), snapshot)
        #expect(outcome == .stale(.routeConfiguration))
        // Still waiting for the answer to the first: nothing yet, then the new name.
        #expect(responses.isEmpty)
        let next = stream.ack(first[0], snapshot)
        #expect(next.count == 1)
        #expect(next[0].resources.map(\.name) == ["routes"])
    }

    @Test func aNackedResourceIsNotResentUntilItChanges() {
        var stream = synced(Fixture.snapshot(1, clusters: [east], hosts: [hostA]))
        let broken = Fixture.virtualHost("routes/a", "east", "duplicate domain")
        let bad = Fixture.snapshot(2, clusters: [east], hosts: [broken])
        let sent = stream.responses(for: bad)
        let (outcome, responses) = stream.handle(
            Fixture.deltaRequest(.virtualHost, nonce: sent[0].nonce, error: "duplicate domain"), bad)
        #expect(outcome == .rejected(.virtualHost, error: "duplicate domain", resources: ["routes/a"]))
        #expect(responses.isEmpty)
        #expect(stream.acceptedVirtualHosts == ["routes/a": hostA.version])
        let fixed = Fixture.snapshot(3, clusters: [east], hosts: [Fixture.virtualHost("routes/a", "east", "fixed")])
        #expect(stream.responses(for: fixed).map(\.type) == [.virtualHost])
    }

    @Test func aHostMovingClustersWaitsForTheNewClusterAndKeepsTheOld() {
        let west = Fixture.cluster("west")
        var stream = synced(Fixture.snapshot(1, clusters: [east], hosts: [hostA]))
        let moved = Fixture.snapshot(2, clusters: [west], hosts: [Fixture.virtualHost("routes/a", "west")])
        let add = stream.responses(for: moved)
        #expect(add.map(\.type) == [.cluster])
        #expect(add[0].resources.map(\.name) == ["west"])
        #expect(add[0].removed.isEmpty)
        let hosts = stream.ack(add[0], moved)
        #expect(hosts.map(\.type) == [.virtualHost])
        let remove = stream.ack(hosts[0], moved)
        #expect(remove.map(\.type) == [.cluster])
        #expect(remove[0].removed == ["east"])
    }
}
