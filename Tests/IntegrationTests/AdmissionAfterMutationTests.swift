import DevAPIServer
import Foundation
import KubeAPI
import NIOHTTP1
import Testing

/// What happens to a mutating webhook's patched object before it is
/// stored: decoded into its kind, prepared as the store prepares it,
/// validated, then shown to validating webhooks.
@Suite("Admission: after mutation", .timeLimit(.minutes(2)))
struct AdmissionAfterMutationTests {
    /// A mutating webhook at `/m` whose patch is `patch`, and a validating one at `/v`.
    func setUp(_ patch: String) async throws -> (InProcessAPI, ScriptedWebhook) {
        let api = try InProcessAPI()
        let webhook = try await ScriptedWebhook { path, _ in
            path == "/m" ? ScriptedWebhook.allow(patch: patch) : ScriptedWebhook.allow()
        }
        #expect(await api.registerMutatingAndValidating(webhook))
        return (api, webhook)
    }

    @Test("fields a built-in kind does not have are dropped; HTTPRoute keeps them; validating webhooks see the result")
    func unknownFields() async throws {
        let (api, webhook) = try await setUp(
            #"[{"op":"add","path":"/spec","value":{"ingressClassName":"kcp","bogus":1}},{"op":"add","path":"/extra","value":true}]"#
        )
        defer { webhook.stop() }
        let ingress = await api.call(.POST, InProcessAPI.ingresses, #"{"metadata":{"name":"a"}}"#)
        #expect(ingress.code == 201)
        #expect(ingress.json?["spec"] == ["ingressClassName": "kcp"])
        #expect(ingress.json?["extra"] == nil)
        #expect(webhook.received("/v").last?.request["object"]?["spec"] == ["ingressClassName": "kcp"])

        let route = await api.call(
            .POST, "/apis/gateway.networking.k8s.io/v1/namespaces/default/httproutes", #"{"metadata":{"name":"r"}}"#)
        #expect(route.code == 201)
        #expect(route.json?["spec"] == ["ingressClassName": "kcp", "bogus": 1])
        #expect(route.json?["extra"] == true)
    }

    @Test("an empty patch changes nothing: the object is not decoded again")
    func emptyPatch() async throws {
        let (api, webhook) = try await setUp("[]")
        defer { webhook.stop() }
        let created = await api.call(.POST, InProcessAPI.ingresses, #"{"metadata":{"name":"a"},"extra":true}"#)
        #expect(created.code == 201)
        #expect(created.json?["extra"] == true, "kept, as this server keeps fields it was given")
        #expect(webhook.received("/m").count == 1)
    }

    @Test("a field of the wrong type is a 500")
    func wrongType() async throws {
        let (api, webhook) = try await setUp(#"[{"op":"add","path":"/spec","value":{"rules":"not a list"}}]"#)
        defer { webhook.stop() }
        let created = await api.call(.POST, InProcessAPI.ingresses, #"{"metadata":{"name":"a"}}"#)
        #expect(created.code == 500)
        #expect(created.json?["message"]?.stringValue?.contains("spec.rules") == true)
        #expect(webhook.received("/v").isEmpty, "validating webhooks are not called")
    }

    @Test("status set by a patch is reset on the main resource; generation counts a patched spec change")
    func statusAndGeneration() async throws {
        let (api, webhook) = try await setUp(
            #"[{"op":"add","path":"/status","value":{"loadBalancer":{"ingress":[{"ip":"1.2.3.4"}]}}},{"op":"add","path":"/spec","value":{"ingressClassName":"patched"}}]"#
        )
        defer { webhook.stop() }
        let created = await api.call(
            .POST, InProcessAPI.ingresses, #"{"metadata":{"name":"a"},"spec":{"ingressClassName":"patched"}}"#)
        #expect(created.json?["status"] == nil)
        #expect(created.json?["metadata"]?["generation"] == 1)
        let updated = await api.call(
            .PUT, InProcessAPI.ingresses + "/a",
            #"{"metadata":{"name":"a","labels":{"x":"y"}},"spec":{"ingressClassName":"kcp"}}"#)
        #expect(updated.code == 200)
        #expect(updated.json?["spec"]?["ingressClassName"] == "patched")
        #expect(updated.json?["metadata"]?["generation"] == 1, "the patch put the spec back: no spec change")
        #expect(updated.json?["status"] == nil)
        #expect(webhook.received("/v").last?.request["object"]?["metadata"]?["generation"] == 1)
    }

    @Test("a patched name that is not valid is refused with 422")
    func validation() async throws {
        let (api, webhook) = try await setUp(#"[{"op":"replace","path":"/metadata/name","value":"Not_Valid"}]"#)
        defer { webhook.stop() }
        let created = await api.call(.POST, InProcessAPI.ingresses, #"{"metadata":{"name":"a"}}"#)
        #expect(created.code == 422)
        #expect(webhook.received("/v").isEmpty)
    }
}
