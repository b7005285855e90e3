import DevAPIServer
import Foundation
import KubeAPI
import NIOHTTP1
import Testing

/// Webhooks' warnings reach the client as `Warning: 299 - "…"` headers.
@Suite("Admission: warnings", .timeLimit(.minutes(2)))
struct AdmissionWarningsTests {
    @Test("each webhook's warnings, deduplicated, in order, on an allowed write and on a denial")
    func headers() async throws {
        let api = try InProcessAPI()
        let webhook = try await ScriptedWebhook { path, request in
            let denied = ObjectMeta(json: request["object"]?["metadata"] ?? .null).labels["deny"] == "yes"
            switch path {
            case "/first": return ScriptedWebhook.allow(warnings: ["shared", #"first says "hi" \ there"#])
            default:
                return denied
                    ? ScriptedWebhook.deny(code: 403, message: "no", warnings: ["shared", "second"])
                    : ScriptedWebhook.allow(warnings: ["shared", "second"])
            }
        }
        defer { webhook.stop() }
        #expect(
            await api.register(
                // Mutating webhooks run one after the other, so their warnings have an order.
                "MutatingWebhookConfiguration",
                webhook.configuration(
                    kind: "MutatingWebhookConfiguration", name: "w.kcp.dev",
                    webhooks: [("/first", ""), ("/second", "")])) == 201)
        let allowed = await api.call(.POST, InProcessAPI.ingresses, #"{"metadata":{"name":"a"}}"#)
        #expect(allowed.code == 201)
        #expect(
            allowed.headers["warning"] == [
                #"299 - "shared""#, #"299 - "first says \"hi\" \\ there""#, #"299 - "second""#,
            ])
        let denied = await api.call(
            .POST, InProcessAPI.ingresses, #"{"metadata":{"name":"b","labels":{"deny":"yes"}}}"#)
        #expect(denied.code == 403)
        #expect(denied.headers["warning"].contains(#"299 - "second""#), "a denial carries its warnings")
    }

    @Test("kubectl prints a webhook's warnings")
    func kubectlPrintsWarnings() async throws {
        let server = try await DevAPIServerProcess()
        defer { server.stop() }
        let webhook = try await ScriptedWebhook { _, _ in
            ScriptedWebhook.allow(warnings: ["ingress shop would be placed on clusters east, west"])
        }
        defer { webhook.stop() }
        let registered = try await server.kubectl(
            ["create", "-f", "-"],
            stdin: webhook.configuration(
                kind: "ValidatingWebhookConfiguration", name: "w.kcp.dev", webhooks: [("/v", "")]))
        #expect(registered.status == 0, "\(registered.stderr)")
        let created = try await server.kubectl(
            ["create", "-f", "-", "--dry-run=server"],
            stdin:
                #"{"apiVersion":"networking.k8s.io/v1","kind":"Ingress","metadata":{"name":"shop","namespace":"default"}}"#
        )
        #expect(created.status == 0, "\(created.stderr)")
        #expect(created.stderr.contains("Warning: ingress shop would be placed on clusters east, west"))
    }
}
