import KubeAPI
import Placement
import Testing

@testable import Admission

@Suite("/validate")
struct ValidatorTests {
    let settings: AdmissionSettings = {
        var settings = AdmissionSettings()
        settings.syncerGroups = ["kcp-syncers"]
        return settings
    }()

    func verdict(_ body: [UInt8], reader: ArrayReader = ArrayReader()) -> AdmissionResponse {
        Validator(settings: settings, reader: reader).review(Reviews.decoded(body))
    }

    func ingress(host: String = "front.example.com", path: String? = "/", pathType: String? = "Prefix") -> JSON {
        var pathEntry: JSON = ["backend": ["service": ["name": "web", "port": ["number": 80]]]]
        pathEntry["path"] = path.map(JSON.string)
        pathEntry["pathType"] = pathType.map(JSON.string)
        var root = Reviews.ingress
        root["spec"] = ["rules": [["host": .string(host), "http": ["paths": [pathEntry]]]]]
        return root
    }

    @Test("a valid root is allowed; bad hosts, paths and path types are refused naming the field")
    func roots() {
        #expect(verdict(Reviews.review(object: ingress())).allowed)
        #expect(verdict(Reviews.review(object: ingress(host: "*.example.com"))).allowed)
        let cases: [(JSON, String)] = [
            (ingress(host: "Front.example.com"), "spec.rules[0].host: Invalid value \"Front.example.com\""),
            (ingress(host: "a.*.example.com"), "spec.rules[0].host"),
            (ingress(host: String(repeating: "a.", count: 127) + "com"), "no more than 253 characters"),
            (ingress(path: "api"), "spec.rules[0].http.paths[0].path: Invalid value \"api\""),
            (ingress(pathType: "Glob"), "pathType: Unsupported value \"Glob\""),
            (ingress(pathType: nil), "pathType: Required value"),
        ]
        for (root, message) in cases {
            let answer = verdict(Reviews.review(object: root))
            #expect(!answer.allowed && answer.code == 422)
            #expect(answer.message?.contains(message) == true, "\(answer.message ?? "")")
        }
    }

    @Test("HTTPRoute: path types and a backend in another namespace; Route: an empty host is fine")
    func otherKinds() {
        let route = Reviews.parse(
            """
            {"apiVersion":"gateway.networking.k8s.io/v1","kind":"HTTPRoute","metadata":{"name":"r","namespace":"shop"},
             "spec":{"hostnames":["r.example.com"],"rules":[{"matches":[{"path":{"type":"PathPrefix","value":"/a"}}],
               "backendRefs":[{"name":"web","port":80},{"name":"db","namespace":"other","port":5432}]}]}}
            """)
        let answer = verdict(Reviews.review(kind: .httpRoute, object: route))
        #expect(!answer.allowed)
        #expect(answer.message?.contains("Service other/db is in another namespace") == true)
        #expect(answer.message?.contains("ReferenceGrant") == true)

        let openshift = Reviews.parse(
            #"{"apiVersion":"route.openshift.io/v1","kind":"Route","metadata":{"name":"o","namespace":"shop"},"spec":{"host":"","to":{"kind":"Service","name":"web"}}}"#
        )
        #expect(verdict(Reviews.review(kind: .route, object: openshift)).allowed)
    }

    @Test("a host held by a root in another namespace is refused, naming it; the same namespace may share it")
    func hostClaims() {
        var other = ingress(host: "front.example.com")
        other["metadata"] = ["name": "first", "namespace": "team-a"]
        var sameNamespace = other
        sameNamespace["metadata"]?["namespace"] = "shop"
        let claimed = ArrayReader(roots: [.ingress: [other]])
        let answer = verdict(Reviews.review(object: ingress(host: "FRONT.example.com.")), reader: claimed)
        // An upper-case host is refused for its syntax first; the normalised one for the claim.
        #expect(!answer.allowed)
        let refused = verdict(Reviews.review(object: ingress()), reader: claimed)
        #expect(!refused.allowed)
        #expect(refused.message?.contains("host front.example.com is already claimed by ingress team-a/first") == true)
        #expect(
            verdict(Reviews.review(object: ingress()), reader: ArrayReader(roots: [.ingress: [sameNamespace]])).allowed)
        // A leaf of that root does not claim anything.
        let leaf = Leaf(of: other, cluster: "east").object
        #expect(verdict(Reviews.review(object: ingress()), reader: ArrayReader(roots: [.ingress: [leaf]])).allowed)
    }

    @Test("leaves: only the controller changes them; syncers may write their status and gateway addresses")
    func leaves() {
        let leaf = Leaf(of: Reviews.ingress, cluster: "east").object
        let byAdmin = verdict(Reviews.review(operation: "UPDATE", object: leaf, oldObject: leaf))
        #expect(!byAdmin.allowed && byAdmin.code == 403)
        #expect(
            byAdmin.message
                == "ingress front--east is managed by kcp-ingress: it is the leaf of ingress front for cluster east; change the root instead"
        )
        for operation in ["CREATE", "DELETE"] {
            let body = Reviews.review(
                operation: operation, object: operation == "CREATE" ? leaf : nil,
                oldObject: operation == "DELETE" ? leaf : nil)
            #expect(!verdict(body).allowed, "\(operation)")
        }
        // Removing the label does not make it a root to the person removing it.
        var unlabelled = leaf
        unlabelled["metadata"]?["labels"] = nil
        #expect(!verdict(Reviews.review(operation: "UPDATE", object: unlabelled, oldObject: leaf)).allowed)

        let controller = settings.controllerUsername
        #expect(
            verdict(Reviews.review(operation: "DELETE", object: nil, oldObject: leaf, username: controller)).allowed)
        #expect(
            verdict(
                Reviews.review(
                    operation: "UPDATE", object: leaf, oldObject: leaf, subResource: "status", username: "syncer",
                    groups: ["kcp-syncers"])
            ).allowed)
        #expect(
            !verdict(
                Reviews.review(
                    operation: "UPDATE", object: leaf, oldObject: leaf, username: "syncer", groups: ["kcp-syncers"])
            ).allowed, "a syncer may write status only")

        // And its cluster's gateway addresses, where the status cannot hold them: that annotation alone.
        var annotated = leaf
        annotated["metadata"]?["annotations"]?["kcp.dev/gateway-addresses"] = "192.0.2.1:8080"
        annotated["metadata"]?["resourceVersion"] = "7"
        #expect(
            verdict(
                Reviews.review(
                    operation: "UPDATE", object: annotated, oldObject: leaf, username: "syncer", groups: ["kcp-syncers"]
                )
            ).allowed)
        var more = annotated
        more["spec"]?["ingressClassName"] = "other"
        #expect(
            !verdict(
                Reviews.review(
                    operation: "UPDATE", object: more, oldObject: leaf, username: "syncer", groups: ["kcp-syncers"])
            ).allowed, "with anything else changed, refused")
        #expect(
            !verdict(Reviews.review(operation: "UPDATE", object: annotated, oldObject: leaf)).allowed,
            "only syncers")
    }
}
