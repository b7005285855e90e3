import KubeAPI
import Placement
import Testing
import XDS

@Suite("Translation of HTTPRoute roots")
struct HTTPRouteTranslationTests {
    /// HTTPRoute leaves carry no address in their status: the annotation gives it.
    static func source(_ root: JSON, on clusters: [String]) -> RootSource {
        RootSource(
            kind: .httpRoute, object: root,
            leaves: clusters.map {
                Objects.leaf(of: root, cluster: $0, annotations: ["kcp.dev/gateway-addresses": Objects.gatewayIP[$0]!])
            })
    }

    static func route(_ name: String = "store", rules: String) -> JSON {
        Objects.root(
            .httpRoute, name,
            spec:
                #"{"parentRefs":[{"name":"gw"}],"hostnames":["store.example.com","*.store.example.com"],"rules":\#(rules)}"#
        )
    }

    @Test("every match type in Envoy's terms; a rule without matches matches /")
    func matchTypes() throws {
        let root = Self.route(
            rules: """
                [{"matches":[
                   {"path":{"type":"PathPrefix","value":"/docs/"},
                    "headers":[{"name":"X-Env","value":"canary"},{"name":"x-env","value":"ignored"},
                               {"type":"RegularExpression","name":"X-User","value":"u[0-9]+"}],
                    "queryParams":[{"name":"q","value":"1"},{"type":"RegularExpression","name":"Page","value":"[0-9]+"}],
                    "method":"GET"}],
                  "backendRefs":[{"name":"web","port":80}]},
                 {"matches":[{"path":{"type":"Exact","value":"/login"}},{"path":{"type":"RegularExpression","value":"/u/[a-z]+"}}],
                  "backendRefs":[{"name":"web","port":80}]},
                 {"backendRefs":[{"name":"web","port":80}]}]
                """)
        let host = try #require(Objects.translate([Self.source(root, on: ["east"])]).virtualHost("store"))
        #expect(host.domains == ["store.example.com", "store.example.com:*", "*.store.example.com"])
        #expect(
            host.routes.map(\.match.path) == [
                .exact("/login"), .regex("/u/[a-z]+"), .pathSeparatedPrefix("/docs"), .prefix("/"),
            ])
        let docs = host.routes[2].match
        #expect(
            docs.headers == [
                HeaderMatch(name: "x-env", value: .exact("canary")),
                HeaderMatch(name: "x-user", value: .regex("u[0-9]+")),
                HeaderMatch(name: ":method", value: .exact("GET")),
            ])
        #expect(
            docs.queryParameters == [
                QueryParameterMatch(name: "q", value: .exact("1")),
                QueryParameterMatch(name: "Page", value: .regex("[0-9]+")),
            ])
        // HTTPRoute wildcards take any depth, as Envoy's do: no :authority condition.
        #expect(host.routes.allSatisfy { !$0.match.headers.contains { $0.name == ":authority" } })
    }

    @Test("Gateway API precedence: Exact, RegularExpression, prefix; longer first; then headers, query, method")
    func precedence() throws {
        // Written in the reverse of the expected order, one match per rule, so that no input order survives.
        let expected: [(match: String, path: PathMatch, headers: Int, query: Int)] = [
            (#"{"path":{"type":"Exact","value":"/a/long"}}"#, .exact("/a/long"), 0, 0),
            (#"{"path":{"type":"Exact","value":"/a"}}"#, .exact("/a"), 0, 0),
            (#"{"path":{"type":"RegularExpression","value":"/r/.*"}}"#, .regex("/r/.*"), 0, 0),
            (#"{"path":{"type":"PathPrefix","value":"/a/b"}}"#, .pathSeparatedPrefix("/a/b"), 0, 0),
            (
                #"{"path":{"type":"PathPrefix","value":"/a"},"headers":[{"name":"x","value":"1"},{"name":"y","value":"2"}]}"#,
                .pathSeparatedPrefix("/a"), 2, 0
            ),
            (
                #"{"path":{"type":"PathPrefix","value":"/a"},"headers":[{"name":"x","value":"1"}],"queryParams":[{"name":"q","value":"1"}]}"#,
                .pathSeparatedPrefix("/a"), 1, 1
            ),
            (
                #"{"path":{"type":"PathPrefix","value":"/a"},"headers":[{"type":"RegularExpression","name":"x","value":"1"}]}"#,
                .pathSeparatedPrefix("/a"), 1, 0
            ),
            (
                #"{"path":{"type":"PathPrefix","value":"/a"},"queryParams":[{"name":"q","value":"1"}]}"#,
                .pathSeparatedPrefix("/a"), 0, 1
            ),
            (#"{"path":{"type":"PathPrefix","value":"/a"}}"#, .pathSeparatedPrefix("/a"), 0, 0),
            (#"{"path":{"type":"PathPrefix","value":"/"},"method":"POST"}"#, .prefix("/"), 1, 0),
            (#"{"path":{"type":"PathPrefix","value":"/"}}"#, .prefix("/"), 0, 0),
        ]
        let rules = expected.reversed().map { #"{"matches":[\#($0.match)],"backendRefs":[{"name":"web"}]}"# }
        let root = Self.route(rules: "[" + rules.joined(separator: ",") + "]")
        let host = try #require(Objects.translate([Self.source(root, on: ["east"])]).virtualHost("store"))
        #expect(host.routes.map(\.match.path) == expected.map(\.path))
        #expect(host.routes.map(\.match.headers.count) == expected.map(\.headers))
        #expect(host.routes.map(\.match.queryParameters.count) == expected.map(\.query))
        // The exact header match outranks the regular expression on the same path.
        #expect(host.routes[5].match.headers.first?.value == .exact("1"))
        #expect(host.routes[6].match.headers.first?.value == .regex("1"))
    }

    @Test("backend weights go to their Services' clusters: 90/10 across two clusters, summed within one")
    func weights() throws {
        let split = Self.route(rules: #"[{"backendRefs":[{"name":"web","weight":90},{"name":"api","weight":10}]}]"#)
        let host = try #require(Objects.translate([Self.source(split, on: ["east", "west"])]).virtualHost("store"))
        #expect(
            host.routes[0].action
                == .weightedClusters([
                    WeightedCluster(cluster: Objects.cluster("east"), weight: 90),
                    WeightedCluster(cluster: Objects.cluster("west"), weight: 10),
                ]))
        // Two Services on one cluster add up; a weight left out counts 1; weight 0 and references that are not
        // Services of this namespace carry nothing.
        let services = Objects.services + [Objects.service("shop", cluster: "east")]
        let summed = Self.route(
            rules: """
                [{"backendRefs":[{"name":"web","weight":3},{"name":"shop"},{"name":"api","weight":0},
                  {"name":"api","namespace":"other","weight":50},{"name":"bucket","group":"storage.example.com","kind":"Bucket","weight":50}]}]
                """)
        let summedHost = try #require(
            Objects.translate([Self.source(summed, on: ["east", "west"])], services: services).virtualHost("store"))
        #expect(summedHost.routes[0].action.weights == [Objects.cluster("east"): 4])
    }

    @Test("a cluster whose leaf reports no address gets no weight; with none left the route answers 503")
    func unreachable() throws {
        let split = Self.route(rules: #"[{"backendRefs":[{"name":"web","weight":90},{"name":"api","weight":10}]}]"#)
        var source = Self.source(split, on: ["east"])
        source.leaves.append(Objects.leaf(of: split, cluster: "west"))  // placed, but no address yet
        let host = try #require(Objects.translate([source]).virtualHost("store"))
        #expect(host.routes[0].action.weights == [Objects.cluster("east"): 90])

        let nowhere = RootSource(kind: .httpRoute, object: split, leaves: [Objects.leaf(of: split, cluster: "west")])
        let dark = try #require(Objects.translate([nowhere]).virtualHost("store"))
        #expect(dark.routes.map(\.action) == [.noClusterYet])
        guard case .directResponse(let status, let body) = dark.routes[0].action else { return }
        #expect(status == 503)
        #expect(body.contains("no cluster"))
        #expect(Objects.translate([nowhere]).table.clusters.isEmpty)
    }
}
