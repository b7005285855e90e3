import Testing
import XDS

@Suite struct StateOfTheWorldStreamTests {
    let east = Fixture.cluster("east")
    let west = Fixture.cluster("west")

    @Test func firstRequestGetsEveryResourceAndAnAckEndsIt() {
        let snapshot = Fixture.snapshot(1, clusters: [east, west], hosts: [])
        var stream = XDSStreamState(delta: false)
        let (outcome, responses) = stream.handle(Fixture.request(.cluster), snapshot)
        #expect(outcome == .subscribed(.cluster))
        #expect(responses.count == 1)
        #expect(responses[0].resources.map(\.name) == ["east", "west"])
        #expect(stream.ack(responses[0], snapshot).isEmpty)
        #expect(stream.acceptedVersions(.cluster).keys.sorted() == ["east", "west"])
    }

    @Test func anEmptyTypeIsStillAnswered() {
        // Envoy's initialisation waits for a first answer to CDS and LDS.
        var stream = XDSStreamState(delta: false)
        let responses = stream.handle(Fixture.request(.cluster), .empty).1
        #expect(responses.count == 1)
        #expect(responses[0].resources.isEmpty)
    }

    @Test func aReconnectingEnvoyThatHoldsTheCurrentVersionIsNotSentItAgain() {
        let snapshot = Fixture.snapshot(1, clusters: [east], hosts: [])
        var first = XDSStreamState(delta: false)
        let sent = first.handle(Fixture.request(.cluster), snapshot).1[0]
        var second = XDSStreamState(delta: false)
        let (outcome, responses) = second.handle(Fixture.request(.cluster, version: sent.versionInfo), snapshot)
        #expect(outcome == .subscribed(.cluster))
        #expect(responses.isEmpty)
        #expect(second.acceptedVersions(.cluster) == ["east": east.version])
        // Holding something else, it is sent the current set.
        var third = XDSStreamState(delta: false)
        #expect(third.handle(Fixture.request(.cluster, version: "old"), snapshot).1.count == 1)
    }

    @Test func aStaleNonceIsIgnored() {
        var stream = XDSStreamState(delta: false)
        let one = Fixture.snapshot(1, clusters: [east], hosts: [])
        let first = stream.handle(Fixture.request(.cluster), one).1[0]
        let two = Fixture.snapshot(2, clusters: [east, west], hosts: [])
        // The first is not answered yet: nothing more goes out.
        #expect(stream.responses(for: two).isEmpty)
        let second = stream.ack(first, two)[0]
        #expect(second.resources.map(\.name) == ["east", "west"])
        let (outcome, responses) = stream.handle(
            Fixture.request(.cluster, nonce: first.nonce, version: first.versionInfo), two)
        #expect(outcome == .stale(.cluster))
        #expect(responses.isEmpty)
        #expect(stream.acceptedVersions(.cluster).keys.sorted() == ["east"])
    }

    @Test func aNackKeepsWhatEnvoyHoldsAndIsNotAnsweredWithTheSameVersion() {
        var stream = XDSStreamState(delta: false)
        let good = Fixture.snapshot(1, clusters: [east], hosts: [])
        let accepted = stream.handle(Fixture.request(.cluster), good).1[0]
        _ = stream.ack(accepted, good)
        let bad = Fixture.snapshot(2, clusters: [Fixture.cluster("east", "broken")], hosts: [])
        let rejected = stream.responses(for: bad)[0]
        let (outcome, responses) = stream.handle(
            Fixture.request(.cluster, nonce: rejected.nonce, version: accepted.versionInfo, error: "bad cluster"), bad)
        #expect(outcome == .rejected(.cluster, error: "bad cluster", resources: ["east"]))
        #expect(responses.isEmpty)
        #expect(stream.responses(for: bad).isEmpty)
        #expect(stream.acceptedVersions(.cluster) == ["east": east.version])
        #expect(stream.rejections[.cluster] == "bad cluster")
        // The next good version goes out, and its ACK clears the error.
        let fixed = Fixture.snapshot(3, clusters: [Fixture.cluster("east", "fixed")], hosts: [])
        let next = stream.responses(for: fixed)
        #expect(next.count == 1)
        #expect(stream.ack(next[0], fixed).isEmpty)
        #expect(stream.rejections.isEmpty)
    }

    @Test func routesWaitForTheirClustersAndOldClustersOutliveTheirRoutes() {
        var stream = XDSStreamState(delta: false)
        let onEast = Fixture.snapshot(1, clusters: [east], hosts: [Fixture.virtualHost("routes/a", "east")])
        for type in [ResourceType.cluster, .listener] {
            for response in stream.handle(Fixture.request(type), onEast).1 { _ = stream.ack(response, onEast) }
        }
        let routes = stream.handle(Fixture.request(.routeConfiguration, names: ["routes"]), onEast).1
        #expect(routes.map(\.type) == [.routeConfiguration])
        #expect(stream.ack(routes[0], onEast).isEmpty)

        // The root moves to west: west is added first, east kept.
        let onWest = Fixture.snapshot(2, clusters: [west], hosts: [Fixture.virtualHost("routes/a", "west")])
        let add = stream.responses(for: onWest)
        #expect(add.map(\.type) == [.cluster])
        #expect(add[0].resources.map(\.name) == ["east", "west"])
        // Only once west is ACKed do the routes name it.
        let moved = stream.ack(add[0], onWest)
        #expect(moved.map(\.type) == [.routeConfiguration])
        #expect(moved[0].resources[0].clusters == ["west"])
        // And only once the routes are ACKed does east go.
        let remove = stream.ack(moved[0], onWest)
        #expect(remove.map(\.type) == [.cluster])
        #expect(remove[0].resources.map(\.name) == ["west"])
        #expect(stream.ack(remove[0], onWest).isEmpty)
        #expect(stream.acceptedVirtualHosts == ["routes/a": onWest.virtualHosts["routes/a"]!.version])
    }

    @Test func aFirstRouteRequestIsNotAnsweredEmptyWhileItsClustersWarm() {
        var stream = XDSStreamState(delta: false)
        let snapshot = Fixture.snapshot(1, clusters: [east], hosts: [Fixture.virtualHost("routes/a", "east")])
        let clusters = stream.handle(Fixture.request(.cluster), snapshot).1
        #expect(stream.handle(Fixture.request(.routeConfiguration, names: ["routes"]), snapshot).1.isEmpty)
        #expect(stream.ack(clusters[0], snapshot).map(\.type) == [.routeConfiguration])
    }

    @Test func unknownTypesAreReported() {
        var stream = XDSStreamState(delta: false)
        let url = "type.googleapis.com/envoy.config.endpoint.v3.LbEndpoint"
        #expect(stream.handle(XDSRequest(typeURL: url), .empty) == (.unknownType(url), []))
    }
}
