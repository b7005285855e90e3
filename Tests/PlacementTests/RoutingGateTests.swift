import KubeAPI
import Testing

@testable import Placement

@Suite("Status merge: a root reports itself reachable only once the proxies route it")
struct RoutingGateTests {
    let now = "2026-11-30T10:00:00Z"
    let later = "2026-11-30T10:05:00Z"

    @Test("Ingress: while pending it keeps the addresses it had")
    func ingressKeepsItsStatus() {
        var root = Fixtures.ingress
        root["status"] = Fixtures.parse(#"{"loadBalancer":{"ingress":[{"hostname":"old.example"}]}}"#)
        let pending = StatusMerge.status(
            of: root, kind: .ingress, reports: [], statusHost: "new.example", routing: .pending("waiting"), now: now)
        #expect(pending["loadBalancer"] == ["ingress": [["hostname": "old.example"]]])
        let routed = StatusMerge.status(
            of: root, kind: .ingress, reports: [], statusHost: "new.example", routing: .routed, now: now)
        #expect(routed["loadBalancer"] == ["ingress": [["hostname": "new.example"]]])
    }

    @Test("HTTPRoute: Accepted is Unknown with reason Pending until routed, False with the proxy's error on a NACK")
    func httpRouteAccepted() throws {
        let reports = [
            StatusMerge.Report(
                cluster: "east",
                status: Fixtures.parse(
                    #"{"parents":[{"parentRef":{"name":"gw"},"controllerName":"example.com/gw","conditions":[{"type":"Accepted","status":"True","reason":"Accepted","message":"ok"}]}]}"#
                ))
        ]
        var root = Fixtures.httpRoute
        let pending = StatusMerge.status(
            of: root, kind: .httpRoute, reports: reports, routing: .pending("1 of 2 proxies hold the routes"), now: now)
        let accepted = try #require(pending["parents"]?[0]?["conditions"]?[0])
        #expect(accepted["status"] == "Unknown")
        #expect(accepted["reason"] == "Pending")
        #expect(accepted["message"] == "1 of 2 proxies hold the routes")

        // Unchanged state later: the same status, nothing to write.
        root["status"] = pending
        let again = StatusMerge.status(
            of: root, kind: .httpRoute, reports: reports, routing: .pending("1 of 2 proxies hold the routes"),
            now: later)
        #expect(StatusMerge.patch(for: root, merged: again) == nil)

        let rejected = StatusMerge.status(
            of: root, kind: .httpRoute, reports: reports, routing: .rejected("duplicate domain a.example"), now: later)
        #expect(rejected["parents"]?[0]?["conditions"]?[0]?["status"] == "False")
        #expect(rejected["parents"]?[0]?["conditions"]?[0]?["message"] == "duplicate domain a.example")
        #expect(rejected["parents"]?[0]?["conditions"]?[0]?["lastTransitionTime"] == .string(later))

        let routed = StatusMerge.status(of: root, kind: .httpRoute, reports: reports, routing: .routed, now: later)
        #expect(routed["parents"]?[0]?["conditions"]?[0]?["status"] == "True")
    }

    @Test("Route: each router's Admitted waits for the proxies")
    func routeAdmitted() {
        let reports = [
            StatusMerge.Report(
                cluster: "east",
                status: Fixtures.parse(
                    #"{"ingress":[{"routerName":"default","host":"a.example","conditions":[{"type":"Admitted","status":"True"}]}]}"#
                ))
        ]
        let pending = StatusMerge.status(
            of: Fixtures.route, kind: .route, reports: reports, routing: .pending("waiting"), now: now)
        #expect(pending["ingress"]?[0]?["conditions"]?[0]?["status"] == "Unknown")
        #expect(pending["ingress"]?[0]?["conditions"]?[0]?["reason"] == "Pending")
        let routed = StatusMerge.status(of: Fixtures.route, kind: .route, reports: reports, routing: .routed, now: now)
        #expect(routed["ingress"]?[0]?["conditions"]?[0]?["status"] == "True")
    }
}
