import Foundation
import KubeAPI
import Testing

@testable import DevAPIServer

/// The cells each kind's printer makes, as kube-apiserver's and OpenShift's printers make them.
@Suite("Table printers")
struct TablePrinterTests {
    static let now = Date(timeIntervalSince1970: 1_700_000_000)

    static func cells(_ kind: String, _ json: String) throws -> [JSON] {
        TablePrinter.forKind(kind).cells(try JSON(parsing: json), now)
    }

    static let durations: [(seconds: Double, printed: String)] = [
        (-5, "<invalid>"), (-1.5, "0s"), (0, "0s"), (119, "119s"), (120, "2m"), (125, "2m5s"), (600, "10m"),
        (10_800, "3h"), (10_860, "3h1m"), (28_800, "8h"), (169_200, "47h"), (180_000, "2d2h"), (691_200, "8d"),
        (94_608_000, "3y"), (94_694_400, "3y1d"), (283_824_000, "9y"),
    ]

    @Test("ages as duration.HumanDuration prints them", arguments: durations)
    func humanDuration(_ duration: (seconds: Double, printed: String)) {
        #expect(HumanDuration.string(duration.seconds) == duration.printed)
    }

    @Test("Ingress: class, the first three hosts then a count, sorted distinct addresses, 443 with TLS")
    func ingress() throws {
        let cells = try Self.cells(
            "Ingress",
            #"{"metadata":{"name":"web","creationTimestamp":"2023-11-14T22:12:20Z"},"spec":{"ingressClassName":"nginx","tls":[{}],"rules":[{"host":"a"},{},{"host":"b"},{"host":"c"},{"host":"d"}]},"status":{"loadBalancer":{"ingress":[{"ip":"10.0.0.2"},{"hostname":"lb.example.com"},{"ip":"10.0.0.1"},{"ip":"10.0.0.2"}]}}}"#
        )
        #expect(cells == ["web", "nginx", "a,b,c + 2 more...", "10.0.0.1,10.0.0.2,lb.example.com", "80, 443", "60s"])
        let bare = try Self.cells("Ingress", #"{"metadata":{"name":"x"},"spec":{}}"#)
        #expect(bare == ["x", "<none>", "*", "", "80", "<unknown>"])
    }

    @Test("Service: external IPs by type, node ports, no ports, selector labels")
    func service() throws {
        let balancer = try Self.cells(
            "Service",
            #"{"metadata":{"name":"lb"},"spec":{"type":"LoadBalancer","clusterIPs":["10.0.0.9"],"externalIPs":["1.1.1.1"],"ports":[{"port":80,"nodePort":30080,"protocol":"TCP"}]},"status":{"loadBalancer":{"ingress":[{"ip":"2.2.2.2"}]}}}"#
        )
        #expect(
            balancer == ["lb", "LoadBalancer", "10.0.0.9", "2.2.2.2,1.1.1.1", "80:30080/TCP", "<unknown>", "<none>"])
        let pending = try Self.cells("Service", #"{"metadata":{"name":"p"},"spec":{"type":"LoadBalancer"}}"#)
        #expect(pending[3] == "<pending>")
        #expect(pending[4] == "<none>")
        let external = try Self.cells(
            "Service", #"{"metadata":{"name":"e"},"spec":{"type":"ExternalName","externalName":"example.com"}}"#)
        #expect(external[3] == "example.com")
    }

    @Test("Route: admitted host, Pending, rejections, weighted backends, target port, termination")
    func route() throws {
        let admitted = try Self.cells(
            "Route",
            #"{"metadata":{"name":"r"},"spec":{"host":"r.example.com","path":"/p","to":{"name":"a","weight":3},"alternateBackends":[{"name":"b","weight":1}],"port":{"targetPort":"http"},"tls":{"termination":"edge","insecureEdgeTerminationPolicy":"Redirect"},"wildcardPolicy":"None"},"status":{"ingress":[{"host":"r.example.com","conditions":[{"type":"Admitted","status":"True"}]},{"host":"r.example.com","conditions":[{"type":"Admitted","status":"True"}]}]}}"#
        )
        #expect(
            admitted == ["r", "r.example.com ... 1 more", "/p", "a(75%),b(25%)", "http", "edge/Redirect", "None"])
        let pending = try Self.cells(
            "Route", #"{"metadata":{"name":"r"},"spec":{"host":"h","to":{"name":"a"}},"status":{"ingress":[]}}"#)
        #expect(pending[1] == "Pending")
        #expect(pending[4] == "<all>")
        let rejected = try Self.cells(
            "Route",
            #"{"metadata":{"name":"r"},"spec":{"host":"h","to":{"name":"a","weight":0}},"status":{"ingress":[{"conditions":[{"type":"Admitted","status":"False","reason":"HostAlreadyClaimed"}]}]}}"#
        )
        #expect(rejected[1] == "HostAlreadyClaimed")
        #expect(rejected[3] == "a(0%)")
    }

    @Test("Lease holder, Namespace phase, webhook count, HTTPRoute hostnames as JSON")
    func others() throws {
        #expect(try Self.cells("Lease", #"{"metadata":{"name":"l"},"spec":{"holderIdentity":"me"}}"#)[1] == "me")
        #expect(try Self.cells("Namespace", #"{"metadata":{"name":"n"},"status":{"phase":"Active"}}"#)[1] == "Active")
        #expect(
            try Self.cells("MutatingWebhookConfiguration", #"{"metadata":{"name":"m"},"webhooks":[{},{},{}]}"#)[1] == 3)
        #expect(
            try Self.cells("HTTPRoute", #"{"metadata":{"name":"h"},"spec":{"hostnames":["a.example.com","b"]}}"#)[1]
                == #"["a.example.com","b"]"#)
        #expect(try Self.cells("HTTPRoute", #"{"metadata":{"name":"h"},"spec":{}}"#)[1] == .null)
    }
}
