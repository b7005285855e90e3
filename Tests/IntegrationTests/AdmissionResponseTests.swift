import DevAPIServer
import Foundation
import HTTPServer
import KubeAPI
import NIOCore
import NIOHTTP1
import Testing

/// How the development API server reads a webhook's answer, as
/// kube-apiserver reads it.
@Suite("Admission: the webhook's answer", .timeLimit(.minutes(2)))
struct AdmissionResponseTests {
    /// One validating or mutating webhook at `/hook` answering `answer`; returns the create's result.
    func create(
        mutating: Bool = false,
        version: String = "v1",
        failurePolicy: String = "Fail",
        _ answer: @escaping @Sendable (JSON) -> ScriptedWebhook.Answer
    ) async throws -> (code: UInt, json: JSON?) {
        let api = try InProcessAPI()
        let webhook = try await ScriptedWebhook { _, request in answer(request) }
        defer { webhook.stop() }
        let kind = mutating ? "MutatingWebhookConfiguration" : "ValidatingWebhookConfiguration"
        let configuration = webhook.configuration(
            kind: kind, name: "hook.kcp.dev", webhooks: [("/hook", #","failurePolicy":"\#(failurePolicy)""#)]
        ).replacingOccurrences(
            of: #""admissionReviewVersions":["v1"]"#, with: #""admissionReviewVersions":["\#(version)"]"#)
        #expect(await api.register(kind, configuration) == 201)
        let result = await api.call(.POST, InProcessAPI.ingresses, #"{"metadata":{"name":"a"}}"#)
        return (result.code, result.json)
    }

    @Test(
        "a denial's code below 400 or missing becomes 400; the message falls back to the reason, then to 'without explanation'"
    )
    func denials() async throws {
        let missing = try await create { _ in ScriptedWebhook.deny(message: "no") }
        #expect(missing.code == 400)
        #expect(missing.json?["code"] == 400)
        #expect(missing.json?["message"] == #"admission webhook "0.hook.kcp.dev" denied the request: no"#)

        let low = try await create { _ in ScriptedWebhook.deny(code: 200, reason: "NotAllowed") }
        #expect(low.code == 400)
        #expect(low.json?["message"] == #"admission webhook "0.hook.kcp.dev" denied the request: NotAllowed"#)
        #expect(low.json?["reason"] == "NotAllowed")

        let bare = try await create { _ in ScriptedWebhook.deny() }
        #expect(bare.code == 400)
        #expect(bare.json?["message"] == #"admission webhook "0.hook.kcp.dev" denied the request without explanation"#)

        let kept = try await create { _ in ScriptedWebhook.deny(code: 409, message: "taken", reason: "Conflict") }
        #expect(kept.code == 409)
    }

    @Test("HTTP 200 to 206 are answers; any other status is a failed call")
    func httpStatus() async throws {
        for code in [201, 206] {
            let created = try await create { request in
                var response = ScriptedWebhook.reply([
                    "apiVersion": "admission.k8s.io/v1", "kind": "AdmissionReview",
                    "response": ["uid": request["uid"] ?? "", "allowed": true],
                ])
                response.status = .init(statusCode: code)
                return .http(response)
            }
            #expect(created.code == 201, "HTTP \(code) is success")
        }
        let failed = try await create { request in
            var response = ScriptedWebhook.reply([
                "apiVersion": "admission.k8s.io/v1", "kind": "AdmissionReview",
                "response": ["uid": request["uid"] ?? "", "allowed": true],
            ])
            response.status = .init(statusCode: 207)
            return .http(response)
        }
        #expect(failed.code == 500)
        #expect(failed.json?["message"]?.stringValue?.contains("failed calling webhook") == true)
    }

    @Test("only JSONPatch is applied; any other patchType fails the call, and is ignored under failurePolicy Ignore")
    func patchType() async throws {
        let patch = Base64.encode(Array(#"[{"op":"add","path":"/metadata/labels","value":{"x":"y"}}]"#.utf8))
        let other: @Sendable (JSON) -> ScriptedWebhook.Answer = { _ in
            .response(["allowed": true, "patchType": "MergePatch", "patch": .string(patch)])
        }
        let refused = try await create(mutating: true, other)
        #expect(refused.code == 500)
        #expect(
            refused.json?["message"]?.stringValue?.contains(#"unsupported patch type \"MergePatch\""#) == true
                || refused.json?["message"]?.stringValue?.contains(#"unsupported patch type "MergePatch""#) == true)
        let ignored = try await create(mutating: true, failurePolicy: "Ignore", other)
        #expect(ignored.code == 201)
        #expect(ignored.json?["metadata"]?["labels"] == nil)

        let applied = try await create(mutating: true) { _ in
            .response(["allowed": true, "patchType": "JSONPatch", "patch": .string(patch)])
        }
        #expect(applied.json?["metadata"]?["labels"] == ["x": "y"])
    }

    @Test(
        "v1beta1 answers are checked as kube-apiserver checks them: no uid check, a patch without patchType is JSON Patch"
    )
    func v1beta1() async throws {
        let patch = Base64.encode(Array(#"[{"op":"add","path":"/metadata/labels","value":{"x":"y"}}]"#.utf8))
        let created = try await create(mutating: true, version: "v1beta1") { _ in
            .response(["uid": "not-the-request-uid", "allowed": true, "patch": .string(patch)])
        }
        #expect(created.code == 201)
        #expect(created.json?["metadata"]?["labels"] == ["x": "y"])

        let wrongUID = try await create(mutating: true) { _ in
            .response(["uid": "not-the-request-uid", "allowed": true])
        }
        #expect(wrongUID.code == 500, "v1 answers must echo the uid")
    }
}
