import DevAPIServer
import Foundation
import KubeAPI
import NIOHTTP1
import Testing

/// Webhook configurations are validated as kube-apiserver validates them,
/// and are themselves never sent to webhooks.
@Suite("Admission: webhook configuration validation", .timeLimit(.minutes(2)))
struct WebhookConfigValidationTests {
    static let base: [String: String] = [
        "name": #""v.kcp.dev""#, "clientConfig": #"{"url":"https://127.0.0.1:1/v"}"#,
        "sideEffects": #""None""#, "admissionReviewVersions": #"["v1"]"#,
        "rules": #"[{"operations":["*"],"apiGroups":["*"],"apiVersions":["*"],"resources":["*"]}]"#,
    ]

    func configuration(_ changes: [String: String?]) -> String {
        var fields = Self.base
        for (key, value) in changes { fields[key] = value }
        let webhook = fields.sorted { $0.key < $1.key }.map { "\"\($0.key)\":\($0.value)" }.joined(separator: ",")
        return #"{"metadata":{"name":"c"},"webhooks":[{\#(webhook)}]}"#
    }

    @Test(
        "refused with 422 naming the field",
        arguments: [
            (["sideEffects": nil], "webhooks[0].sideEffects: Required value"),
            (["sideEffects": #""Some""#], "webhooks[0].sideEffects: Unsupported value"),
            (["admissionReviewVersions": nil], "webhooks[0].admissionReviewVersions: Required value"),
            (
                ["timeoutSeconds": "0"],
                "webhooks[0].timeoutSeconds: Invalid value: 0: the timeout value must be between 1 and 30 seconds"
            ),
            (["timeoutSeconds": "31"], "webhooks[0].timeoutSeconds"),
            (["clientConfig": #"{"url":"http://127.0.0.1:1/v"}"#], "'https' is the only allowed URL scheme"),
            (["clientConfig": #"{"url":"https://127.0.0.1:1/v?x=1"}"#], "query parameters are not permitted"),
            (["clientConfig": #"{"url":"https://127.0.0.1:1/v#x"}"#], "fragments are not permitted"),
            (
                ["matchConditions": #"[{"name":"a","expression":"true"}]"#],
                "webhooks[0].matchConditions: Forbidden: matchConditions (CEL) are not supported"
            ),
            (
                ["objectSelector": #"{"matchExpressions":[{"key":"a","operator":"Near"}]}"#],
                "webhooks[0].objectSelector"
            ),
        ] as [([String: String?], String)])
    func refused(_ changes: [String: String?], _ expected: String) async throws {
        let api = try InProcessAPI()
        let created = await api.call(
            .POST, "/apis/admissionregistration.k8s.io/v1/validatingwebhookconfigurations", configuration(changes))
        #expect(created.code == 422)
        #expect(created.json?["reason"] == "Invalid")
        #expect(
            created.json?["message"]?.stringValue?.contains(expected) == true, "\(created.json?["message"] ?? .null)")

        let valid = await api.call(
            .POST, "/apis/admissionregistration.k8s.io/v1/validatingwebhookconfigurations", configuration([:]))
        #expect(valid.code == 201)
        let update = await api.call(
            .PUT, "/apis/admissionregistration.k8s.io/v1/validatingwebhookconfigurations/c", configuration(changes))
        #expect(update.code == 422, "an update is validated too")
    }

    @Test("v1 defaults are stored")
    func defaults() async throws {
        let api = try InProcessAPI()
        let created = await api.call(
            .POST, "/apis/admissionregistration.k8s.io/v1/mutatingwebhookconfigurations", configuration([:]))
        let webhook = created.json?["webhooks"]?[0]
        #expect(webhook?["failurePolicy"] == "Fail")
        #expect(webhook?["matchPolicy"] == "Equivalent")
        #expect(webhook?["timeoutSeconds"] == 10)
        #expect(webhook?["reinvocationPolicy"] == "Never")
        #expect(webhook?["objectSelector"] == [:])
        #expect(webhook?["rules"]?[0]?["scope"] == "*")
    }

    @Test("webhook configurations are not sent to webhooks, even by a webhook for everything")
    func exempt() async throws {
        let api = try InProcessAPI()
        let webhook = try await ScriptedWebhook { _, _ in ScriptedWebhook.deny(message: "everything refused") }
        defer { webhook.stop() }
        #expect(
            await api.register(
                "ValidatingWebhookConfiguration",
                webhook.configuration(
                    kind: "ValidatingWebhookConfiguration", name: "all.kcp.dev", webhooks: [("/v", "")]))
                == 201)
        #expect(
            await api.register(
                "ValidatingWebhookConfiguration",
                webhook.configuration(
                    kind: "ValidatingWebhookConfiguration", name: "second.kcp.dev", webhooks: [("/v", "")]))
                == 201)
        let deleted = await api.call(
            .DELETE, "/apis/admissionregistration.k8s.io/v1/validatingwebhookconfigurations/all.kcp.dev")
        #expect(deleted.code == 200)
        #expect(webhook.calls.withLock { $0.isEmpty })
        #expect(await api.call(.POST, InProcessAPI.ingresses, #"{"metadata":{"name":"a"}}"#).code == 400, "others are")
    }
}
