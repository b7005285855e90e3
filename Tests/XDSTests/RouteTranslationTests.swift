import KubeAPI
import Placement
import Testing
import XDS

@Suite("Translation of OpenShift Route roots")
struct RouteTranslationTests {
    static func route(_ spec: String) -> JSON { Objects.root(.route, "legacy", spec: spec) }

    /// A Route leaf's status: one admitted router entry.
    static func routerStatus(_ router: String?, host: String = "legacy.example.com") -> String {
        let canonical = router.map { #","routerCanonicalHostname":"\#($0)""# } ?? ""
        return
            #"{"ingress":[{"host":"\#(host)","routerName":"default"\#(canonical),"conditions":[{"type":"Admitted","status":"True"}]}]}"#
    }

    @Test("spec.path as a plain prefix (default /); to and alternateBackends weighted, 100 when unset")
    func pathAndWeights() throws {
        let root = Self.route(
            #"{"host":"legacy.example.com","path":"/app","to":{"kind":"Service","name":"web"},"alternateBackends":[{"kind":"Service","name":"api","weight":50}]}"#
        )
        let source = RootSource(
            kind: .route, object: root,
            leaves: [
                Objects.leaf(of: root, cluster: "east", status: Self.routerStatus("router.east.example.net")),
                Objects.leaf(of: root, cluster: "west", status: Self.routerStatus("router.west.example.net")),
            ])
        let translation = Objects.translate([source])
        let host = try #require(translation.virtualHost("legacy"))
        #expect(host.name == "routes_80/route.shop.legacy")
        #expect(host.domains == ["legacy.example.com", "legacy.example.com:*"])
        #expect(host.routes.map(\.match) == [RouteMatch(path: .prefix("/app"))])
        #expect(
            host.routes[0].action.weights == [
                "gateway_router.east.example.net:80": 100, "gateway_router.west.example.net:80": 50,
            ])
        // Router host names are resolved by Envoy.
        #expect(translation.table.clusters.map(\.discovery) == [.strictDNS, .strictDNS])

        let bare = Self.route(#"{"host":"legacy.example.com","to":{"kind":"Service","name":"web"}}"#)
        let bareSource = RootSource(
            kind: .route, object: bare,
            leaves: [Objects.leaf(of: bare, cluster: "east", status: Self.routerStatus("router.east.example.net"))])
        #expect(Objects.translate([bareSource]).virtualHost("legacy")?.routes.map(\.match.path) == [.prefix("/")])
    }

    @Test("a router entry without a canonical name gives its host, unless that is the root's own host")
    func routerHostFallback() throws {
        let root = Self.route(#"{"host":"legacy.example.com","to":{"kind":"Service","name":"web"}}"#)
        let own = RootSource(
            kind: .route, object: root,
            leaves: [Objects.leaf(of: root, cluster: "east", status: Self.routerStatus(nil))])
        // The root's own host leads back to Envoy: no address, so 503 rather than a loop.
        #expect(Objects.translate([own]).virtualHost("legacy")?.routes.map(\.action) == [.noClusterYet])
        let distinct = RootSource(
            kind: .route, object: root,
            leaves: [
                Objects.leaf(
                    of: root, cluster: "east", status: Self.routerStatus(nil, host: "legacy.apps.east.example.net"))
            ])
        #expect(
            Objects.translate([distinct]).virtualHost("legacy")?.routes[0].action.weights == [
                "gateway_legacy.apps.east.example.net:80": 100
            ])
    }

    @Test("the Subdomain wildcard policy serves one label under the host's parent")
    func subdomainWildcard() throws {
        let root = Self.route(
            #"{"host":"www.example.com","wildcardPolicy":"Subdomain","to":{"kind":"Service","name":"web"}}"#)
        let source = RootSource(
            kind: .route, object: root,
            leaves: [Objects.leaf(of: root, cluster: "east", status: Self.routerStatus("router.east.example.net"))])
        let host = try #require(Objects.translate([source]).virtualHost("legacy"))
        #expect(host.domains == ["*.example.com"])
        let topLevel = Self.route(
            #"{"host":"example.com","wildcardPolicy":"Subdomain","to":{"kind":"Service","name":"web"}}"#)
        let topLevelSource = RootSource(kind: .route, object: topLevel, leaves: [])
        #expect(Objects.translate([topLevelSource]).virtualHost("legacy")?.domains == ["example.com", "example.com:*"])
        #expect(
            host.routes[0].match.headers == [
                HeaderMatch(name: ":authority", value: .regex(#"(?i)[^.:]+\.example\.com(?::[0-9]+)?"#))
            ])
    }

    @Test("a router that refused the route gives no address")
    func refusedRouter() {
        let root = Self.route(#"{"host":"legacy.example.com","to":{"kind":"Service","name":"web"}}"#)
        let refused =
            #"{"ingress":[{"host":"legacy.example.com","routerCanonicalHostname":"router.east.example.net","conditions":[{"type":"Admitted","status":"False"}]}]}"#
        let source = RootSource(
            kind: .route, object: root, leaves: [Objects.leaf(of: root, cluster: "east", status: refused)])
        #expect(Objects.translate([source]).virtualHost("legacy")?.routes.map(\.action) == [.noClusterYet])
    }
}
