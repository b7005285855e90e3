import DevAPIServer
import Foundation
import KubeAPI
import NIOHTTP1
import Testing

/// DELETE, deletecollection, namespace deletion and garbage collection
/// reach validating webhooks, as each does in kube-apiserver.
@Suite("Admission: deletes", .timeLimit(.minutes(3)))
struct AdmissionDeleteTests {
    /// A validating webhook for DELETE of Ingresses, Services and Namespaces
    /// that refuses objects labelled `keep=yes`.
    func refusingWebhook() async throws -> ScriptedWebhook {
        try await ScriptedWebhook { _, request in
            ObjectMeta(json: request["oldObject"]?["metadata"] ?? .null).labels["keep"] == "yes"
                ? ScriptedWebhook.deny(code: 403, message: "objects labelled keep=yes stay", reason: "Forbidden")
                : ScriptedWebhook.allow()
        }
    }

    /// Registers `webhook`'s `/d` as the validating webhook `d.kcp.dev` for DELETEs.
    func registerDeleteWebhook(_ webhook: ScriptedWebhook, with api: InProcessAPI) async -> UInt {
        await api.register(
            "ValidatingWebhookConfiguration",
            webhook.configuration(
                kind: "ValidatingWebhookConfiguration", name: "d.kcp.dev", webhooks: [("/d", "")], rules: deleteRules())
        )
    }

    func deleteRules() -> String {
        #"[{"operations":["DELETE"],"apiGroups":["","networking.k8s.io"],"apiVersions":["v1"],"resources":["ingresses","services","namespaces"]}]"#
    }

    @Test("DELETE: the webhook sees oldObject, a null object and the DeleteOptions; a refusal keeps the object")
    func delete() async throws {
        let api = try InProcessAPI()
        let webhook = try await refusingWebhook()
        defer { webhook.stop() }
        #expect(await registerDeleteWebhook(webhook, with: api) == 201)
        #expect(
            await api.call(.POST, InProcessAPI.ingresses, #"{"metadata":{"name":"a","labels":{"keep":"yes"}}}"#).code
                == 201)
        #expect(webhook.received("/d").isEmpty, "CREATE is not in the rules")
        let refused = await api.call(
            .DELETE, InProcessAPI.ingresses + "/a?propagationPolicy=Foreground", #"{"gracePeriodSeconds":0}"#)
        #expect(refused.code == 403)
        #expect(
            refused.json?["message"]
                == #"admission webhook "0.d.kcp.dev" denied the request: objects labelled keep=yes stay"#)
        #expect(await api.call(.GET, InProcessAPI.ingresses + "/a").code == 200, "still there")
        let request = try #require(webhook.received("/d").first).request
        #expect(request["operation"] == "DELETE")
        #expect(request["name"] == "a")
        #expect(request["object"] == .null)
        #expect(request["oldObject"]?["metadata"]?["name"] == "a")
        #expect(
            request["options"] == [
                "gracePeriodSeconds": 0, "kind": "DeleteOptions", "propagationPolicy": "Foreground",
                "apiVersion": "meta.k8s.io/v1",
            ])

        #expect(await api.call(.POST, InProcessAPI.ingresses, #"{"metadata":{"name":"b"}}"#).code == 201)
        #expect(await api.call(.DELETE, InProcessAPI.ingresses + "/b").code == 200)
        #expect(await api.call(.GET, InProcessAPI.ingresses + "/b").code == 404)
    }

    @Test("deletecollection: each object is a DELETE of its own; the refused one stays")
    func deleteCollection() async throws {
        let api = try InProcessAPI()
        let webhook = try await refusingWebhook()
        defer { webhook.stop() }
        #expect(await registerDeleteWebhook(webhook, with: api) == 201)
        for (name, labels) in [("a", #"{"app":"x"}"#), ("b", #"{"app":"x","keep":"yes"}"#), ("c", #"{"app":"y"}"#)] {
            #expect(
                await api.call(.POST, InProcessAPI.ingresses, #"{"metadata":{"name":"\#(name)","labels":\#(labels)}}"#)
                    .code == 201)
        }
        let refused = await api.call(.DELETE, InProcessAPI.ingresses + "?labelSelector=app%3Dx")
        #expect(refused.code == 403)
        #expect(webhook.received("/d").compactMap { $0.request["name"]?.stringValue } == ["a", "b"])
        #expect(await api.call(.GET, InProcessAPI.ingresses + "/a").code == 404)
        #expect(await api.call(.GET, InProcessAPI.ingresses + "/b").code == 200)
        #expect(await api.call(.GET, InProcessAPI.ingresses + "/c").code == 200, "not selected")

        let rest = await api.call(.DELETE, InProcessAPI.ingresses + "?labelSelector=app%3Dy")
        #expect(rest.code == 200)
        #expect(rest.json?["kind"] == "IngressList")
        #expect(rest.json?["items"]?.arrayValue?.count == 1)
    }

    @Test(
        "namespace deletion deletes its contents one by one as the namespace controller; a refused object keeps the namespace Terminating"
    )
    func namespaceDeletion() async throws {
        let api = try InProcessAPI()
        let webhook = try await refusingWebhook()
        defer { webhook.stop() }
        #expect(await registerDeleteWebhook(webhook, with: api) == 201)
        #expect(await api.call(.POST, "/api/v1/namespaces", #"{"metadata":{"name":"shop"}}"#).code == 201)
        let ingresses = "/apis/networking.k8s.io/v1/namespaces/shop/ingresses"
        #expect(await api.call(.POST, ingresses, #"{"metadata":{"name":"gone"}}"#).code == 201)
        #expect(await api.call(.POST, ingresses, #"{"metadata":{"name":"kept","labels":{"keep":"yes"}}}"#).code == 201)

        let deleted = await api.call(.DELETE, "/api/v1/namespaces/shop")
        #expect(deleted.code == 200)
        #expect(deleted.json?["status"]?["phase"] == "Terminating")
        let calls = webhook.received("/d").map(\.request)
        #expect(calls.first?["name"] == "shop")
        #expect(calls.first?["namespace"] == "shop")
        #expect(calls.first?["userInfo"]?["username"] == "admin")
        let contents = calls.dropFirst()
        #expect(contents.compactMap { $0["name"]?.stringValue }.sorted() == ["gone", "kept"])
        #expect(
            contents.allSatisfy {
                $0["userInfo"]?["username"] == "system:serviceaccount:kube-system:namespace-controller"
            })
        #expect(await api.call(.GET, ingresses + "/gone").code == 404)
        #expect(await api.call(.GET, ingresses + "/kept").code == 200)
        let namespace = await api.call(.GET, "/api/v1/namespaces/shop")
        #expect(namespace.json?["status"]?["phase"] == "Terminating")
        #expect(
            namespace.json?["status"]?["conditions"]?[0]?["message"]?.stringValue?.contains(
                "objects labelled keep=yes stay") == true)
        let blocked = await api.call(.POST, ingresses, #"{"metadata":{"name":"new"}}"#)
        #expect(blocked.code == 403)
        #expect(
            blocked.json?["message"] == "unable to create new content in namespace shop because it is being terminated")

        #expect(
            await api.call(
                .PATCH, ingresses + "/kept", #"{"metadata":{"labels":{"keep":null}}}"#,
                contentType: "application/merge-patch+json"
            ).code == 200)
        #expect(await api.call(.DELETE, "/api/v1/namespaces/shop").code == 200)
        #expect(await api.call(.GET, "/api/v1/namespaces/shop").code == 404, "deleted once empty")
    }

    @Test(
        "garbage collection deletes dependents as the garbage collector, through admission; a refused dependent stays")
    func garbageCollection() async throws {
        let api = try InProcessAPI()
        let webhook = try await refusingWebhook()
        defer { webhook.stop() }
        #expect(await registerDeleteWebhook(webhook, with: api) == 201)
        let root = await api.call(.POST, InProcessAPI.ingresses, #"{"metadata":{"name":"root"}}"#)
        let uid = try #require(root.json?["metadata"]?["uid"]?.stringValue)
        let owner = #"[{"apiVersion":"networking.k8s.io/v1","kind":"Ingress","name":"root","uid":"\#(uid)"}]"#
        #expect(
            await api.call(.POST, InProcessAPI.ingresses, #"{"metadata":{"name":"leaf1","ownerReferences":\#(owner)}}"#)
                .code == 201)
        #expect(
            await api.call(
                .POST, InProcessAPI.ingresses,
                #"{"metadata":{"name":"leaf2","labels":{"keep":"yes"},"ownerReferences":\#(owner)}}"#
            ).code == 201)
        #expect(await api.call(.DELETE, InProcessAPI.ingresses + "/root").code == 200)
        let collected = webhook.received("/d").map(\.request).filter {
            $0["userInfo"]?["username"] == "system:serviceaccount:kube-system:generic-garbage-collector"
        }
        #expect(collected.compactMap { $0["name"]?.stringValue }.sorted() == ["leaf1", "leaf2"])
        #expect(await api.call(.GET, InProcessAPI.ingresses + "/leaf1").code == 404)
        #expect(await api.call(.GET, InProcessAPI.ingresses + "/leaf2").code == 200)
    }

    @Test("dryRun in the DeleteOptions body (as kubectl sends it) deletes nothing, and the webhook is told dryRun")
    func dryRunInBody() async throws {
        let api = try InProcessAPI()
        let webhook = try await refusingWebhook()
        defer { webhook.stop() }
        #expect(await registerDeleteWebhook(webhook, with: api) == 201)
        #expect(await api.call(.POST, InProcessAPI.ingresses, #"{"metadata":{"name":"a"}}"#).code == 201)
        let deleted = await api.call(.DELETE, InProcessAPI.ingresses + "/a", #"{"dryRun":["All"]}"#)
        #expect(deleted.code == 200)
        #expect(await api.call(.GET, InProcessAPI.ingresses + "/a").code == 200, "nothing deleted")
        #expect(webhook.received("/d").last?.request["dryRun"] == true)

        let collection = await api.call(.DELETE, InProcessAPI.ingresses, #"{"dryRun":["All"]}"#)
        #expect(collection.code == 200)
        #expect(await api.call(.GET, InProcessAPI.ingresses + "/a").code == 200, "nothing deleted")
    }

    @Test("kubectl delete --dry-run=server deletes nothing")
    func kubectlDryRunDelete() async throws {
        let server = try await DevAPIServerProcess()
        defer { server.stop() }
        let ingress =
            #"{"apiVersion":"networking.k8s.io/v1","kind":"Ingress","metadata":{"name":"shop","namespace":"default"}}"#
        #expect(try await server.kubectl(["create", "-f", "-"], stdin: ingress).status == 0)
        let deleted = try await server.kubectl(["delete", "ingress", "shop", "-n", "default", "--dry-run=server"])
        #expect(deleted.status == 0, "\(deleted.stderr)")
        #expect(deleted.stdout.contains("(server dry run)"))
        let still = try await server.kubectl(["get", "ingress", "shop", "-n", "default", "-o", "name"])
        #expect(still.stdout == "ingress.networking.k8s.io/shop")
    }

    @Test("propagationPolicy Orphan leaves the dependents to themselves")
    func orphan() async throws {
        let api = try InProcessAPI()
        let root = await api.call(.POST, InProcessAPI.ingresses, #"{"metadata":{"name":"root"}}"#)
        let uid = try #require(root.json?["metadata"]?["uid"]?.stringValue)
        let owner = #"[{"apiVersion":"networking.k8s.io/v1","kind":"Ingress","name":"root","uid":"\#(uid)"}]"#
        #expect(
            await api.call(.POST, InProcessAPI.ingresses, #"{"metadata":{"name":"leaf","ownerReferences":\#(owner)}}"#)
                .code == 201)
        #expect(
            await api.call(.DELETE, InProcessAPI.ingresses + "/root", #"{"propagationPolicy":"Orphan"}"#).code == 200)
        #expect(await api.call(.GET, InProcessAPI.ingresses + "/leaf").code == 200)
    }

    @Test("kubectl shows a webhook's refusal of delete, deletecollection and namespace deletion")
    func kubectlShowsRefusals() async throws {
        let server = try await DevAPIServerProcess()
        defer { server.stop() }
        let webhook = try await refusingWebhook()
        defer { webhook.stop() }
        let registered = try await server.kubectl(
            ["create", "-f", "-"],
            stdin: webhook.configuration(
                kind: "ValidatingWebhookConfiguration", name: "d.kcp.dev", webhooks: [("/d", "")], rules: deleteRules())
        )
        #expect(registered.status == 0, "\(registered.stderr)")
        for object in [
            #"{"apiVersion":"v1","kind":"Namespace","metadata":{"name":"guarded","labels":{"keep":"yes"}}}"#,
            #"{"apiVersion":"networking.k8s.io/v1","kind":"Ingress","metadata":{"name":"shop","namespace":"default","labels":{"keep":"yes"}}}"#,
        ] {
            let created = try await server.kubectl(["create", "-f", "-"], stdin: object)
            #expect(created.status == 0, "\(created.stderr)")
        }
        let expected = #"admission webhook "0.d.kcp.dev" denied the request: objects labelled keep=yes stay"#

        let single = try await server.kubectl(["delete", "ingress", "shop", "-n", "default"])
        #expect(single.status != 0)
        #expect(single.stderr.contains(expected), "\(single.stderr)")

        let collection = try await server.kubectl([
            "delete", "--raw", "/apis/networking.k8s.io/v1/namespaces/default/ingresses",
        ])
        #expect(collection.status != 0)
        #expect(collection.stderr.contains("objects labelled keep=yes stay"), "\(collection.stderr)")

        let namespace = try await server.kubectl(["delete", "namespace", "guarded", "--wait=false"])
        #expect(namespace.status != 0)
        #expect(namespace.stderr.contains(expected), "\(namespace.stderr)")
        #expect(try await server.kubectl(["get", "namespace", "guarded", "-o", "name"]).stdout == "namespace/guarded")
    }
}
