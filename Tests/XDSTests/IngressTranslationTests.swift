import KubeAPI
import Placement
import Testing
import XDS

@Suite("Translation of Ingress roots")
struct IngressTranslationTests {
    /// One host; paths written least specific first, so the order must come from the translation.
    static let shop = Objects.root(
        .ingress, "front",
        spec: """
            {"defaultBackend":{"service":{"name":"web","port":{"number":80}}},
             "rules":[{"host":"Shop.Example.com.","http":{"paths":[
               {"path":"/","pathType":"Prefix","backend":{"service":{"name":"web","port":{"number":80}}}},
               {"path":"/img","pathType":"ImplementationSpecific","backend":{"service":{"name":"web","port":{"number":80}}}},
               {"path":"/static/","pathType":"Prefix","backend":{"service":{"name":"web","port":{"number":80}}}},
               {"path":"/api","pathType":"Exact","backend":{"service":{"name":"api","port":{"number":80}}}},
               {"path":"/api/v1/status","pathType":"Exact","backend":{"service":{"name":"api","port":{"number":80}}}}]}}]}
            """)

    @Test("each path type in Envoy's terms, ordered Exact first, then longest prefix, the default backend last")
    func pathTypesAndOrder() throws {
        let translation = Objects.translate([Objects.ingressSource(Self.shop, on: ["east", "west"])])
        let host = try #require(translation.virtualHost("front"))
        #expect(host.name == "routes_80/ingress.shop.front")
        #expect(host.domains == ["shop.example.com", "shop.example.com:*"])
        #expect(host.hosts == ["shop.example.com"])
        #expect(
            host.routes.map(\.match.path) == [
                .exact("/api/v1/status"), .exact("/api"), .pathSeparatedPrefix("/static"), .prefix("/img"),
                .prefix("/"), .prefix("/"),
            ])
        // A path Envoy's element-wise prefix cannot hold stays a plain prefix.
        let odd = Objects.root(
            .ingress, "odd",
            spec:
                #"{"rules":[{"host":"odd.example.com","http":{"paths":[{"path":"/a?b/","pathType":"Prefix","backend":{"service":{"name":"web","port":{"number":80}}}}]}}]}"#
        )
        #expect(
            Objects.translate([Objects.ingressSource(odd, on: ["east"])]).virtualHost("odd")?.routes.map(\.match.path)
                == [.prefix("/a?b/")])
        // One host: no route needs an :authority condition.
        #expect(host.routes.allSatisfy { $0.match.headers.isEmpty })
        // Each path goes to the cluster of its own backend.
        #expect(host.routes[0].action.weights == [Objects.cluster("west"): 1])
        #expect(host.routes[2].action.weights == [Objects.cluster("east"): 1])
        #expect(host.routes[5].action.weights == [Objects.cluster("east"): 1])
        #expect(translation.table.clusters.map(\.name) == [Objects.cluster("east"), Objects.cluster("west")])
        #expect(translation.conflicts.isEmpty)
    }

    @Test("Ingress has no weights: each route goes to its own backend's cluster with the same unit weight")
    func equalPerCluster() throws {
        // `web` and `www` run on two clusters; one path each, both default-backed: each route has one cluster,
        // and every cluster's share is the same unit weight.
        let root = Objects.root(
            .ingress, "split",
            spec: """
                {"defaultBackend":{"service":{"name":"www","port":{"number":80}}},
                 "rules":[{"host":"split.example.com","http":{"paths":[
                   {"path":"/","pathType":"Prefix","backend":{"service":{"name":"web","port":{"number":80}}}}]}}]}
                """)
        let services = Objects.services + [Objects.service("www", cluster: "west")]
        let translation = Objects.translate([Objects.ingressSource(root, on: ["east", "west"])], services: services)
        let host = try #require(translation.virtualHost("split"))
        #expect(host.routes.map(\.action.weights) == [[Objects.cluster("east"): 1], [Objects.cluster("west"): 1]])
    }

    @Test("a wildcard host is Envoy's wildcard domain, held to one DNS label by an :authority condition")
    func wildcardHost() throws {
        let root = Objects.root(
            .ingress, "wild",
            spec: """
                {"rules":[{"host":"*.example.com","http":{"paths":[
                  {"path":"/","pathType":"Prefix","backend":{"service":{"name":"web","port":{"number":80}}}}]}}]}
                """)
        let host = try #require(Objects.translate([Objects.ingressSource(root, on: ["east"])]).virtualHost("wild"))
        #expect(host.domains == ["*.example.com"])
        let authority = try #require(host.routes.first?.match.headers.first)
        #expect(authority.name == ":authority")
        guard case .regex(let pattern) = authority.value else {
            Issue.record("expected a regular expression, got \(authority.value)")
            return
        }
        let regex = try Regex(pattern)
        #expect(try regex.wholeMatch(in: "a.example.com") != nil)
        #expect(try regex.wholeMatch(in: "A.Example.COM:8080") != nil)
        #expect(try regex.wholeMatch(in: "a.b.example.com") == nil)
        #expect(try regex.wholeMatch(in: "example.com") == nil)
    }

    @Test("rules for several hosts: each rule's routes hold to its host; rules without a host serve them all, after")
    func severalHosts() throws {
        let root = Objects.root(
            .ingress, "many",
            spec: """
                {"rules":[
                  {"http":{"paths":[{"path":"/docs/long/path","pathType":"Prefix","backend":{"service":{"name":"docs","port":{"number":80}}}}]}},
                  {"host":"a.example.com","http":{"paths":[{"path":"/","pathType":"Prefix","backend":{"service":{"name":"web","port":{"number":80}}}}]}},
                  {"host":"b.example.com","http":{"paths":[{"path":"/","pathType":"Prefix","backend":{"service":{"name":"api","port":{"number":80}}}}]}}]}
                """)
        let host = try #require(
            Objects.translate([Objects.ingressSource(root, on: ["east", "west", "north"])]).virtualHost("many"))
        #expect(host.domains == ["a.example.com", "a.example.com:*", "b.example.com", "b.example.com:*"])
        #expect(host.routes.count == 3)
        let patterns = host.routes.map { $0.match.headers.first.map(\.value) }
        #expect(patterns[0] == .exactIgnoringCase("a.example.com"))
        #expect(patterns[1] == .exactIgnoringCase("b.example.com"))
        #expect(patterns[2] == nil)
        #expect(
            host.routes.map(\.action.weights) == [
                [Objects.cluster("east"): 1], [Objects.cluster("west"): 1], [Objects.cluster("north"): 1],
            ])
    }

    @Test("an exact host's rules come before a wildcard's that also covers it, whatever the paths")
    func exactHostBeforeWildcard() throws {
        let root = Objects.root(
            .ingress, "mixed",
            spec: """
                {"rules":[
                  {"host":"*.example.com","http":{"paths":[{"path":"/a/long/path","pathType":"Prefix","backend":{"service":{"name":"web","port":{"number":80}}}}]}},
                  {"host":"a.example.com","http":{"paths":[{"path":"/","pathType":"Prefix","backend":{"service":{"name":"api","port":{"number":80}}}}]}}]}
                """)
        let host = try #require(
            Objects.translate([Objects.ingressSource(root, on: ["east", "west"])]).virtualHost("mixed"))
        #expect(host.domains == ["*.example.com", "a.example.com", "a.example.com:*"])
        #expect(host.routes.map(\.match.path) == [.prefix("/"), .pathSeparatedPrefix("/a/long/path")])
        #expect(host.routes.map(\.action.weights) == [[Objects.cluster("west"): 1], [Objects.cluster("east"): 1]])
    }

    @Test("a root without a host is served at its status host when Envoy fronts it, else not at all")
    func statusHost() throws {
        let root = Objects.root(
            .ingress, "bare",
            spec: #"{"defaultBackend":{"service":{"name":"web","port":{"number":80}}}}"#)
        let source = Objects.ingressSource(root, on: ["east"])
        #expect(Objects.translate([source]).table.virtualHosts.isEmpty)
        let fronted = Objects.translate(
            [source], settings: TranslationSettings(statusHostDomain: "kcp-apps.127.0.0.1.nip.io"))
        let host = try #require(fronted.virtualHost("bare"))
        #expect(host.hosts.count == 1)
        #expect(host.hosts[0].hasSuffix(".kcp-apps.127.0.0.1.nip.io"))
        #expect(host.routes.map(\.match.path) == [.prefix("/")])
    }

    @Test("listener and route configuration from the settings")
    func listener() {
        let table = Objects.translate(
            [], settings: TranslationSettings(listenerAddress: "127.0.0.1", listenerPort: 8080)
        ).table
        #expect(table.listener.name == "listener_8080")
        #expect(table.listener.address == "127.0.0.1")
        #expect(table.listener.port == 8080)
        #expect(table.routeConfigurationName == "routes_8080")
        #expect(table.listener.allowsWebSocketUpgrade)
        let defaults = Objects.translate([]).table.listener
        #expect(defaults.address == "0.0.0.0" && defaults.port == 80)
    }
}
