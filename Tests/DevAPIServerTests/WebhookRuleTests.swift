import KubeAPI
import Testing

@testable import DevAPIServer

/// Rules match as kube-apiserver's rule matcher (`predicates/rules`) matches.
@Suite("Admission: webhook rules")
struct WebhookRuleTests {
    let store = ObjectStore()

    func attributes(_ resource: ServedResource, subresource: String? = nil, namespace: String? = "default")
        -> AdmissionAttributes
    {
        AdmissionAttributes(
            operation: .update, resource: resource, subresource: subresource, namespace: namespace, name: "a",
            object: .object(JSONObject()), user: .admin, dryRun: false, deadline: .now + .seconds(60))
    }

    func rule(_ resources: [String], groups: [String] = ["*"], versions: [String] = ["*"], scope: String? = nil)
        -> RuleWithOperations
    {
        var json: JSON = [
            "operations": ["UPDATE"], "apiGroups": .array(groups.map(JSON.string)),
            "apiVersions": .array(versions.map(JSON.string)), "resources": .array(resources.map(JSON.string)),
        ]
        if let scope { json["scope"] = .string(scope) }
        return RuleWithOperations(json: json)
    }

    static let ingresses = ServedResource.all.first { $0.type.kind == "Ingress" }!
    static let namespaces = ServedResource.all[0]
    static let httpRoutes = ServedResource.all.first { $0.type.kind == "HTTPRoute" }!

    @Test("resource, resource/*, */status and */* against the main resource and its status")
    func resources() {
        let main = attributes(Self.ingresses)
        let status = attributes(Self.ingresses, subresource: "status")
        let type = Self.ingresses.type
        let cases: [([String], Bool, Bool)] = [
            (["ingresses"], true, false),
            (["*"], true, false),
            // A `/*` matches the empty subresource too: the main resource.
            (["ingresses/*"], true, true),
            (["*/status"], false, true),
            (["*/*"], true, true),
            (["ingresses/status"], false, true),
            (["services"], false, false),
        ]
        for (resources, matchesMain, matchesStatus) in cases {
            #expect(WebhookMatcher.rule(rule(resources), matches: type, main) == matchesMain, "\(resources) main")
            #expect(WebhookMatcher.rule(rule(resources), matches: type, status) == matchesStatus, "\(resources) status")
        }
    }

    @Test("scope: a Namespace is cluster-scoped; namespaced objects match Namespaced")
    func scope() {
        let namespace = attributes(Self.namespaces, namespace: "shop")
        #expect(WebhookMatcher.rule(rule(["*"], scope: "Cluster"), matches: Self.namespaces.type, namespace))
        #expect(!WebhookMatcher.rule(rule(["*"], scope: "Namespaced"), matches: Self.namespaces.type, namespace))
        let ingress = attributes(Self.ingresses)
        #expect(WebhookMatcher.rule(rule(["*"], scope: "Namespaced"), matches: Self.ingresses.type, ingress))
        #expect(!WebhookMatcher.rule(rule(["*"], scope: "Cluster"), matches: Self.ingresses.type, ingress))
    }

    @Test("matchPolicy Equivalent calls a v1beta1 HTTPRoute webhook for v1, naming v1beta1 as kind; Exact does not")
    func equivalent() throws {
        let matcher = WebhookMatcher(store: store)
        var webhook: JSON = [
            "name": "h.kcp.dev",
            "rules": [
                [
                    "operations": ["UPDATE"], "apiGroups": ["gateway.networking.k8s.io"], "apiVersions": ["v1beta1"],
                    "resources": ["httproutes"],
                ]
            ],
        ]
        let matched = try matcher.match(Webhook(json: webhook), attributes(Self.httpRoutes))
        #expect(matched?.version == "v1beta1")
        webhook["matchPolicy"] = "Exact"
        #expect(try matcher.match(Webhook(json: webhook), attributes(Self.httpRoutes)) == nil)
    }
}
