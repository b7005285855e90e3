import Foundation
import Testing

@testable import OpsPage

@Suite("The operator's page: its HTML")
struct DebugPageHTMLTests {
    static let hostile = "<script>alert(\"x\")</script>&'"

    static func state(roots: Int = 1, pages: Int = 1, number: Int = 1) -> DebugState {
        DebugState(
            version: "1.0", leader: false, informersSynced: true, queueDepth: nil,
            envoys: [.init(node: "edge<1>", stream: 1, mode: "sotw", acked: ["cds": "a1"], rejected: ["rds": hostile])],
            filter: .init(namespace: hostile, notReady: true),
            page: .init(number: number, size: 100, pages: pages, matching: roots, total: roots),
            roots: [
                .init(
                    kind: "HTTPRoute", namespace: "shop", name: "web", hosts: ["web.example.com"],
                    clusters: ["east", "west"],
                    leaves: [
                        .init(name: "web--east", cluster: "east", status: hostile, gateways: ["192.0.2.1:80"]),
                        .init(name: "web--west", cluster: "west", status: "ok", gateways: []),
                    ],
                    status: hostile, routing: "rejected", routingDetail: hostile, programmedSeconds: 0.0123)
            ],
            clusters: [.init(name: "east", gateways: ["192.0.2.1:80"], envoyCluster: "gateway_192.0.2.1:80", roots: 1)])
    }

    @Test("every text from objects or Envoy is escaped: no markup gets through, the text reads as written")
    func escaping() {
        let html = DebugPageHTML.render(Self.state())
        #expect(!html.contains("<script"))
        #expect(!html.contains("edge<1>"))
        let escaped = "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;&amp;&#39;"
        // Envoy's rejection, the leaf's and the root's status, the routing detail, the filter's value.
        #expect(html.components(separatedBy: escaped).count - 1 == 5)
        #expect(html.contains("edge&lt;1&gt;"))
    }

    @Test("a root's row: its leaves by cluster, its routing state, the time its change took")
    func rootRow() throws {
        let html = DebugPageHTML.render(Self.state())
        let row = try #require(html.components(separatedBy: "<tr class=\"root\"").dropFirst().first)
        #expect(row.hasPrefix(" data-root=\"httproute/shop/web\""))
        #expect(row.components(separatedBy: "<li class=\"leaf\"").count - 1 == 2)
        #expect(row.contains("data-cluster=\"east\"") && row.contains("data-cluster=\"west\""))
        #expect(row.contains("<span class=\"routing rejected\">rejected</span>"))
        #expect(row.contains("12 ms"))
    }

    @Test("one document, no script and no external asset")
    func selfContained() {
        let html = DebugPageHTML.render(Self.state())
        #expect(html.hasPrefix("<!DOCTYPE html>"))
        #expect(!html.contains("<script") && !html.contains("<link") && !html.contains("src="))
        #expect(!html.contains("http://") && !html.contains("https://"))
    }

    @Test("paging links keep the filter")
    func pagingLinks() {
        let html = DebugPageHTML.render(Self.state(roots: 250, pages: 3, number: 2))
        #expect(html.contains("rel=\"prev\" href=\"/debug?namespace="))
        #expect(html.contains("&notReady=1\">previous"))
        #expect(html.contains("&notReady=1&page=3\">next"))
    }

    @Test("the JSON the scripts read is the same model, keys as documented")
    func json() throws {
        let data = try JSONEncoder().encode(Self.state())
        let decoded = try JSONDecoder().decode(DebugState.self, from: data)
        #expect(decoded == Self.state())
        let object = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        #expect(
            Set(object.keys) == [
                "version", "leader", "informersSynced", "envoys", "filter", "page", "roots", "clusters",
            ])
    }
}
