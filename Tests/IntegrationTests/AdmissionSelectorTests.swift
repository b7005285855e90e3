import DevAPIServer
import Foundation
import KubeAPI
import NIOHTTP1
import Testing

/// objectSelector and namespaceSelector, as kube-apiserver evaluates them.
@Suite("Admission: selectors", .timeLimit(.minutes(2)))
struct AdmissionSelectorTests {
    @Test("objectSelector matches if either the new or the old object matches")
    func oldOrNew() async throws {
        let api = try InProcessAPI()
        let webhook = try await ScriptedWebhook { _, _ in ScriptedWebhook.allow() }
        defer { webhook.stop() }
        #expect(
            await api.register(
                "ValidatingWebhookConfiguration",
                webhook.configuration(
                    kind: "ValidatingWebhookConfiguration", name: "v.kcp.dev",
                    webhooks: [("/v", #","objectSelector":{"matchLabels":{"watched":"yes"}}"#)])) == 201)
        #expect(
            await api.call(.POST, InProcessAPI.ingresses, #"{"metadata":{"name":"a","labels":{"watched":"yes"}}}"#).code
                == 201)
        #expect(webhook.received("/v").count == 1)
        let unlabelled = await api.call(.PUT, InProcessAPI.ingresses + "/a", #"{"metadata":{"name":"a"}}"#)
        #expect(unlabelled.code == 200)
        #expect(webhook.received("/v").count == 2, "the old object matched")
        #expect(
            await api.call(.PUT, InProcessAPI.ingresses + "/a", #"{"metadata":{"name":"a","labels":{"x":"y"}}}"#).code
                == 200)
        #expect(webhook.received("/v").count == 2, "neither matches")
    }

    @Test("objectSelector is evaluated again after each mutating webhook's patch")
    func afterPatch() async throws {
        let api = try InProcessAPI()
        let webhook = try await ScriptedWebhook { path, _ in
            path == "/label"
                ? ScriptedWebhook.allow(patch: #"[{"op":"add","path":"/metadata/labels","value":{"selected":"yes"}}]"#)
                : ScriptedWebhook.allow()
        }
        defer { webhook.stop() }
        // Configurations run in name order: "a…" labels, "b…" is selected by the label.
        #expect(
            await api.register(
                "MutatingWebhookConfiguration",
                webhook.configuration(
                    kind: "MutatingWebhookConfiguration", name: "a.kcp.dev", webhooks: [("/label", "")]))
                == 201)
        #expect(
            await api.register(
                "MutatingWebhookConfiguration",
                webhook.configuration(
                    kind: "MutatingWebhookConfiguration", name: "b.kcp.dev",
                    webhooks: [("/selected", #","objectSelector":{"matchLabels":{"selected":"yes"}}"#)])) == 201)
        #expect(await api.call(.POST, InProcessAPI.ingresses, #"{"metadata":{"name":"a"}}"#).code == 201)
        #expect(webhook.received("/selected").count == 1)
    }

    @Test("a Namespace is matched by the namespaceSelector against its own labels")
    func namespaceOwnLabels() async throws {
        let api = try InProcessAPI()
        let webhook = try await ScriptedWebhook { _, _ in ScriptedWebhook.deny(message: "team namespaces are reviewed")
        }
        defer { webhook.stop() }
        #expect(
            await api.register(
                "ValidatingWebhookConfiguration",
                webhook.configuration(
                    kind: "ValidatingWebhookConfiguration", name: "v.kcp.dev",
                    webhooks: [("/v", #","namespaceSelector":{"matchLabels":{"team":"yes"}}"#)])) == 201)
        #expect(await api.call(.POST, "/api/v1/namespaces", #"{"metadata":{"name":"plain"}}"#).code == 201)
        let team = await api.call(.POST, "/api/v1/namespaces", #"{"metadata":{"name":"team","labels":{"team":"yes"}}}"#)
        #expect(team.code == 400)
        #expect(webhook.received("/v").count == 1)
    }
}
