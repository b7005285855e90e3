import KubeAPI
import Testing

@testable import Placement

@Suite("Status merge: leaves' statuses into the root's")
struct StatusMergeTests {
    let now = "2026-11-30T10:00:00Z"
    func report(_ cluster: String, _ status: String) -> StatusMerge.Report {
        StatusMerge.Report(cluster: cluster, status: Fixtures.parse(status))
    }

    @Test("Ingress: the union of addresses, sorted, without duplicates; or the status host when Envoy fronts it")
    func ingress() {
        let reports = [
            report("west", #"{"loadBalancer":{"ingress":[{"ip":"192.0.2.9"},{"hostname":"lb.west.example"}]}}"#),
            report(
                "east",
                #"{"loadBalancer":{"ingress":[{"ip":"192.0.2.1","ports":[{"port":80,"protocol":"TCP"}]},{"ip":"192.0.2.9"}]}}"#
            ),
        ]
        let status = StatusMerge.status(of: Fixtures.ingress, kind: .ingress, reports: reports, now: now)
        #expect(
            status["loadBalancer"]
                == Fixtures.parse(
                    #"{"ingress":[{"hostname":"lb.west.example"},{"ip":"192.0.2.1","ports":[{"port":80,"protocol":"TCP"}]},{"ip":"192.0.2.9"}]}"#
                ))
        let fronted = StatusMerge.status(
            of: Fixtures.ingress, kind: .ingress, reports: reports, statusHost: "front.kcp-apps.127.0.0.1.nip.io",
            now: now)
        #expect(fronted["loadBalancer"] == ["ingress": [["hostname": "front.kcp-apps.127.0.0.1.nip.io"]]])
        let none = StatusMerge.status(of: Fixtures.ingress, kind: .ingress, reports: [], now: now)
        #expect(none["loadBalancer"] == .object(JSONObject()))
    }

    @Test("the patch touches status only, and is nil when the values already agree")
    func patch() {
        var root = Fixtures.ingress
        let merged = StatusMerge.status(
            of: root, kind: .ingress, reports: [report("east", #"{"loadBalancer":{"ingress":[{"ip":"192.0.2.1"}]}}"#)],
            now: now)
        let patch = StatusMerge.patch(for: root, merged: merged)
        #expect(patch?.objectValue?.keys == ["status"])
        root["status"] = merged
        #expect(StatusMerge.patch(for: root, merged: merged) == nil)
        // Same values, other key order and number spelling: still nothing to write.
        root["status"] = Fixtures.parse(#"{"loadBalancer":{"ingress":[{"ip":"192.0.2.1"}]}}"#)
        #expect(
            StatusMerge.patch(for: root, merged: Fixtures.parse(#"{"loadBalancer":{"ingress":[{"ip":"192.0.2.1"}]}}"#))
                == nil)
    }

    @Test("HTTPRoute: one entry per parent and controller; True only where every cluster says True, naming the others")
    func httpRoute() {
        var root = Fixtures.httpRoute
        root["metadata"]?["generation"] = 3
        let other =
            #"{"parentRef":{"name":"gw"},"controllerName":"example.com/other","conditions":[{"type":"Accepted","status":"True","reason":"Fine","message":"","lastTransitionTime":"2020-01-01T00:00:00Z"}],"x":1.50}"#
        root["status"] = Fixtures.parse(#"{"parents":[\#(other)]}"#)
        let accepted = #"{"type":"Accepted","status":"True","reason":"Accepted","message":"ok"}"#
        let reports = [
            report(
                "east",
                #"{"parents":[{"parentRef":{"name":"gw"},"controllerName":"kcp.dev/syncer","conditions":[\#(accepted)]}]}"#
            ),
            report(
                "west",
                #"{"parents":[{"parentRef":{"name":"gw"},"controllerName":"kcp.dev/syncer","conditions":[{"type":"Accepted","status":"False","reason":"NoGateway","message":"gateway gw missing"}]}]}"#
            ),
        ]
        let status = StatusMerge.status(of: root, kind: .httpRoute, reports: reports, now: now)
        let parents = status["parents"]?.arrayValue ?? []
        #expect(parents.count == 2)
        #expect(parents[0] == Fixtures.parse(other), "another controller's entry is kept as it was")
        #expect(parents[0]["x"].map { String(decoding: $0.bytes, as: UTF8.self) } == "1.50")
        let condition = parents[1]["conditions"]?[0]
        #expect(condition?["status"] == "False")
        #expect(condition?["reason"] == "NoGateway")
        #expect(condition?["message"] == "not True on west: west: gateway gw missing")
        #expect(condition?["observedGeneration"] == 3)
        #expect(condition?["lastTransitionTime"] == .string(now))

        // West recovers: True, and the time moves; the same report again keeps it.
        let healed = [
            reports[0],
            report(
                "west",
                #"{"parents":[{"parentRef":{"name":"gw"},"controllerName":"kcp.dev/syncer","conditions":[\#(accepted)]}]}"#
            ),
        ]
        var updated = root
        updated["status"] = status
        let later = "2026-11-30T11:00:00Z"
        let recovered = StatusMerge.status(of: updated, kind: .httpRoute, reports: healed, now: later)
        #expect(recovered["parents"]?[1]?["conditions"]?[0]?["status"] == "True")
        #expect(recovered["parents"]?[1]?["conditions"]?[0]?["lastTransitionTime"] == .string(later))
        updated["status"] = recovered
        let again = StatusMerge.status(of: updated, kind: .httpRoute, reports: healed, now: "2026-11-30T12:00:00Z")
        #expect(again == recovered, "no change, no new transition time")
        #expect(StatusMerge.patch(for: updated, merged: again) == nil)
    }

    @Test("Route: one entry per router, duplicates dropped")
    func route() {
        let entry =
            #"{"host":"legacy.example.com","routerName":"default","conditions":[{"type":"Admitted","status":"True"}]}"#
        let reports = [
            report("east", #"{"ingress":[\#(entry)]}"#),
            report("west", #"{"ingress":[{"host":"legacy.example.com","routerName":"west-router"}]}"#),
            report("north", #"{"ingress":[\#(entry)]}"#),
        ]
        let status = StatusMerge.status(of: Fixtures.route, kind: .route, reports: reports, now: now)
        #expect(status["ingress"]?.arrayValue?.count == 2)
        #expect(status["ingress"]?[1]?["routerName"] == "west-router")
    }
}
