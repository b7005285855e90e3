import KubeAPI
import Testing

@testable import Placement

@Suite("Status host")
struct StatusHostTests {
    let domain = StatusHost.defaultDomain

    @Test("inside the domain on a label boundary; look-alikes are outside")
    func inside() {
        #expect(StatusHost.isInside("shop.kcp-apps.127.0.0.1.nip.io", domain: domain))
        #expect(StatusHost.isInside("*.shop.kcp-apps.127.0.0.1.nip.io", domain: domain))
        #expect(StatusHost.isInside("Shop.KCP-Apps.127.0.0.1.nip.io.", domain: domain))
        #expect(StatusHost.isInside(domain, domain: domain))
        #expect(!StatusHost.isInside("evil-kcp-apps.127.0.0.1.nip.io.attacker.example", domain: domain))
        #expect(!StatusHost.isInside("evilkcp-apps.127.0.0.1.nip.io", domain: domain))
        #expect(!StatusHost.isInside("shop.example.com", domain: domain))
        #expect(!StatusHost.isInside("shop.example.com", domain: ""))
    }

    @Test("the first host when all are inside; else the FNV-1a of name, namespace and logical cluster, in decimal")
    func host() {
        let inside = ["a.kcp-apps.127.0.0.1.nip.io", "b.kcp-apps.127.0.0.1.nip.io"]
        #expect(
            StatusHost.host(hosts: inside, name: "n", namespace: "ns", logicalCluster: "", domain: domain) == inside[0])
        let hashed = "\(FNV1a.hash32("front" + "shop" + "root:org")).\(domain)"
        #expect(
            StatusHost.host(
                hosts: inside + ["shop.example.com"], name: "front", namespace: "shop", logicalCluster: "root:org",
                domain: domain) == hashed)
        #expect(
            StatusHost.host(hosts: [], name: "front", namespace: "shop", logicalCluster: "root:org", domain: domain)
                == hashed)
        // The proof of concept's value for name "front", namespace "shop", no cluster: decimal digits.
        let plain = StatusHost.host(hosts: [], name: "front", namespace: "shop", logicalCluster: "", domain: domain)
        #expect(plain == "\(FNV1a.hash32("frontshop")).\(domain)")
        let label = plain.prefix { $0 != "." }
        #expect(!label.isEmpty && label.allSatisfy { $0.isNumber })
    }

    @Test("of a root: its kind's hosts and its logical cluster")
    func ofRoot() {
        var route = Fixtures.route
        #expect(StatusHost.host(of: route, kind: .route, domain: domain) == "\(FNV1a.hash32("legacyshop")).\(domain)")
        route["spec"]?["host"] = "legacy.kcp-apps.127.0.0.1.nip.io"
        #expect(StatusHost.host(of: route, kind: .route, domain: domain) == "legacy.kcp-apps.127.0.0.1.nip.io")
    }
}
