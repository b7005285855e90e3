import DevAPIServer
import Foundation
import KubeAPI
import NIOHTTP1
import Testing

/// What the development API server sends a webhook, field for field, as
/// kube-apiserver sends it.
@Suite("Admission: the AdmissionReview request", .timeLimit(.minutes(2)))
struct AdmissionRequestTests {
    @Test(
        "CREATE with generateName: mutating webhooks see no name, uid, creationTimestamp or generation; validating webhooks see them"
    )
    func createWithGenerateName() async throws {
        let api = try InProcessAPI()
        let webhook = try await ScriptedWebhook { _, _ in ScriptedWebhook.allow() }
        defer { webhook.stop() }
        #expect(await api.registerMutatingAndValidating(webhook))
        let (code, created, _) = await api.call(
            .POST, InProcessAPI.ingresses,
            #"{"metadata":{"generateName":"shop-","uid":"given","creationTimestamp":"2020-01-01T00:00:00Z","generation":7}}"#
        )
        #expect(code == 201)
        let name = created?["metadata"]?["name"]?.stringValue ?? ""
        #expect(name.hasPrefix("shop-") && name.count == "shop-".count + 5)

        let mutating = try #require(webhook.received("/m").first).request
        #expect(mutating["name"] == nil)
        let seen = mutating["object"]?["metadata"]
        #expect(seen?["name"] == nil)
        #expect(seen?["generateName"] == "shop-")
        #expect(seen?["uid"] == nil)
        #expect(seen?["creationTimestamp"] == nil)
        #expect(seen?["generation"] == nil)

        let validating = try #require(webhook.received("/v").first).request
        #expect(validating["name"]?.stringValue == name)
        let stored = validating["object"]?["metadata"]
        #expect(stored?["name"]?.stringValue == name)
        #expect(stored?["uid"]?.stringValue == created?["metadata"]?["uid"]?.stringValue)
        #expect(stored?["uid"] != "given")
        #expect(stored?["generation"] == 1)
        #expect(stored?["creationTimestamp"] != nil)
        #expect(stored?["creationTimestamp"] != "2020-01-01T00:00:00Z")
    }

    @Test("options, userInfo.uid and extra, requestSubResource, and a Namespace's own name as namespace")
    func requestFields() async throws {
        let alice = APIUser(
            name: "alice", groups: ["devs", "system:authenticated"], uid: "uid-alice",
            extra: ["scopes": ["read", "write"]])
        let api = try InProcessAPI(users: ["admin-token": .admin, "alice-token": alice])
        let webhook = try await ScriptedWebhook { _, _ in ScriptedWebhook.allow() }
        defer { webhook.stop() }
        #expect(
            await api.register(
                "ValidatingWebhookConfiguration",
                webhook.configuration(
                    kind: "ValidatingWebhookConfiguration", name: "v.kcp.dev", webhooks: [("/v", "")],
                    rules: #"[{"operations":["*"],"apiGroups":["*"],"apiVersions":["*"],"resources":["*","*/status"]}]"#
                ))
                == 201)

        let created = await api.call(
            .POST, InProcessAPI.ingresses + "?fieldManager=kubectl-create", #"{"metadata":{"name":"a"}}"#,
            token: "alice-token")
        #expect(created.code == 201)
        let create = try #require(webhook.received("/v").last).request
        #expect(
            create["options"] == [
                "kind": "CreateOptions", "apiVersion": "meta.k8s.io/v1", "fieldManager": "kubectl-create",
            ])
        #expect(
            create["userInfo"]
                == [
                    "username": "alice", "uid": "uid-alice", "groups": ["devs", "system:authenticated"],
                    "extra": ["scopes": ["read", "write"]],
                ])
        #expect(create["requestSubResource"] == nil)
        #expect(create["namespace"] == "default")
        #expect(create["oldObject"] == .null)

        let status = await api.call(
            .PUT, InProcessAPI.ingresses + "/a/status",
            #"{"metadata":{"name":"a"},"status":{"loadBalancer":{"ingress":[{"ip":"10.0.0.1"}]}}}"#)
        #expect(status.code == 200)
        let update = try #require(webhook.received("/v").last).request
        #expect(update["operation"] == "UPDATE")
        #expect(update["subResource"] == "status")
        #expect(update["requestSubResource"] == "status")
        #expect(update["options"] == ["kind": "UpdateOptions", "apiVersion": "meta.k8s.io/v1"])
        #expect(update["oldObject"]?["metadata"]?["name"] == "a")

        let namespace = await api.call(.POST, "/api/v1/namespaces?dryRun=All", #"{"metadata":{"name":"shop"}}"#)
        #expect(namespace.code == 201)
        let namespaced = try #require(webhook.received("/v").last).request
        #expect(namespaced["namespace"] == "shop")
        #expect(namespaced["dryRun"] == true)
        #expect(namespaced["options"]?["dryRun"] == ["All"])
    }
}
