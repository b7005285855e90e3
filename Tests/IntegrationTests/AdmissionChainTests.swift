import DevAPIServer
import Foundation
import HTTPServer
import KubeAPI
import Logging
import NIOCore
import NIOHTTP1
import Synchronization
import TLS
import TestSupport
import Testing

/// The development API server's admission chain calling a webhook served by
/// the project's own HTTPServer over HTTPS, in process.
@Suite("Development API server: the admission chain", .timeLimit(.minutes(2)))
struct AdmissionChainTests {
    let logger = Logger(label: "test")

    /// A webhook on 127.0.0.1: `/mutate` adds a label and, while it is being
    /// called, writes a Service through the API (as kcp-ingress writes
    /// leaves); `/validate` denies objects labelled `deny=yes`.
    final class Webhook: Sendable {
        let certificates: GeneratedCertificates
        let port: Int
        let seenUsers = Locked<[String]>([])
        let task: Task<Void, any Error>

        init(api: DevAPIServer) async throws {
            let certificates = try CertificateFactory.development(
                commonName: "webhook", dnsNames: ["localhost"], ipAddresses: ["127.0.0.1"])
            self.certificates = certificates
            let context = try TLSContext(configuration: .server(identity: certificates.identity))
            var router = Router()
            let seenUsers = seenUsers
            router.add(.POST, "/mutate") { request in
                let review = AdmissionReview(json: try JSON(parsing: request.body.readableBytesView))
                let uid = review.request?.uid ?? ""
                seenUsers.withLock { $0.append(review.request?.username ?? "") }
                // Write to the API while this admission call is in flight.
                let service = #"{"apiVersion":"v1","kind":"Service","metadata":{"name":"written-during-admission"}}"#
                _ = await api.router.respond(
                    to: HTTPRequest(
                        method: .POST, uri: "/api/v1/namespaces/default/services",
                        headers: ["authorization": "Bearer admin-token", "content-type": "application/json"],
                        body: ByteBuffer(string: service)),
                    logger: Logger(label: "webhook"))
                let patch = JSONPatch([.add(try JSONPointer("/metadata/labels/mutated"), "yes")])
                return Self.answer(review, .allowed(uid: uid, patch: patch))
            }
            router.add(.POST, "/validate") { request in
                let review = AdmissionReview(json: try JSON(parsing: request.body.readableBytesView))
                let labels = ObjectMeta(json: review.request?.object?["metadata"] ?? [:]).labels
                let uid = review.request?.uid ?? ""
                return Self.answer(
                    review,
                    labels["deny"] == "yes"
                        ? .denied(
                            uid: uid, code: 403, message: "objects labelled deny=yes are refused", reason: "Forbidden")
                        : .allowed(uid: uid))
            }
            let listening = Listening()
            let server = HTTPServer(
                configuration: ServerConfiguration(
                    name: "webhook", address: BindAddress(host: "127.0.0.1", port: 0), tls: { context }),
                router: router, logger: Logger(label: "webhook"),
                onListening: listening.report)
            task = Task { try await server.run() }
            port = try await listening.port()
        }

        static func answer(_ review: AdmissionReview, _ response: AdmissionResponse) -> HTTPResponse {
            var body = ByteBuffer()
            body.writeBytes(
                AdmissionReview.answering(review.apiVersion ?? "admission.k8s.io/v1", response: response).json.bytes)
            return .bytes(.ok, contentType: "application/json", body)
        }

        func url(_ path: String) -> String { "https://127.0.0.1:\(port)\(path)" }
        var caBundle: String { Base64.encode(certificates.caCertificatePEM) }
    }

    func call(_ api: DevAPIServer, _ method: HTTPMethod, _ uri: String, _ body: String) async -> (UInt, JSON?) {
        let response = await api.router.respond(
            to: HTTPRequest(
                method: method, uri: uri,
                headers: ["authorization": "Bearer admin-token", "content-type": "application/json"],
                body: ByteBuffer(string: body)),
            logger: logger)
        return (response.status.code, try? JSON(parsing: response.body.readableBytesView))
    }

    func register(
        _ api: DevAPIServer, kind: String, name: String, url: String, caBundle: String, failurePolicy: String = "Fail",
        timeout: Int = 30, objectSelector: String = "{}"
    ) async {
        let resource =
            kind == "MutatingWebhookConfiguration" ? "mutatingwebhookconfigurations" : "validatingwebhookconfigurations"
        let configuration = """
            {"apiVersion":"admissionregistration.k8s.io/v1","kind":"\(kind)","metadata":{"name":"\(name)"},
             "webhooks":[{"name":"\(name)","clientConfig":{"url":"\(url)","caBundle":"\(caBundle)"},
               "rules":[{"operations":["CREATE","UPDATE"],"apiGroups":["networking.k8s.io"],"apiVersions":["v1"],"resources":["ingresses"]}],
               "failurePolicy":"\(failurePolicy)","sideEffects":"None","timeoutSeconds":\(timeout),"admissionReviewVersions":["v1"],
               "objectSelector":\(objectSelector)}]}
            """
        let (code, _) = await call(api, .POST, "/apis/admissionregistration.k8s.io/v1/\(resource)", configuration)
        #expect(code == 201)
    }

    static let ingresses = "/apis/networking.k8s.io/v1/namespaces/default/ingresses"

    @Test("mutating then validating webhooks: the patch is applied, denials are worded as kube-apiserver words them")
    func mutateAndDeny() async throws {
        let api = try DevAPIServer(authenticator: TokenAuthenticator(tokens: ["admin-token": .admin]), logger: logger)
        let webhook = try await Webhook(api: api)
        defer { webhook.task.cancel() }
        await register(
            api, kind: "MutatingWebhookConfiguration", name: "mutate.kcp.dev", url: webhook.url("/mutate"),
            caBundle: webhook.caBundle)
        await register(
            api, kind: "ValidatingWebhookConfiguration", name: "validate.kcp.dev", url: webhook.url("/validate"),
            caBundle: webhook.caBundle)

        let (created, object) = await call(
            api, .POST, Self.ingresses, #"{"metadata":{"name":"a","labels":{"app":"a"}}}"#)
        #expect(created == 201)
        #expect(object?["metadata"]?["labels"]?["mutated"] == "yes")
        #expect(webhook.seenUsers.withLock { $0 } == ["admin"])
        let service = await api.router.respond(
            to: HTTPRequest(
                method: .GET, uri: "/api/v1/namespaces/default/services/written-during-admission",
                headers: ["authorization": "Bearer admin-token"]),
            logger: logger)
        #expect(service.status == .ok, "the webhook wrote to the API while its admission call was in flight")

        let (denied, status) = await call(
            api, .POST, Self.ingresses, #"{"metadata":{"name":"b","labels":{"deny":"yes"}}}"#)
        #expect(denied == 403)
        #expect(
            status?["message"]
                == #"admission webhook "validate.kcp.dev" denied the request: objects labelled deny=yes are refused"#)
        #expect(status?["reason"] == "Forbidden")
    }

    @Test("objectSelector: a webhook is called only for objects its selector matches")
    func objectSelector() async throws {
        let api = try DevAPIServer(authenticator: TokenAuthenticator(tokens: ["admin-token": .admin]), logger: logger)
        let webhook = try await Webhook(api: api)
        defer { webhook.task.cancel() }
        await register(
            api, kind: "ValidatingWebhookConfiguration", name: "validate.kcp.dev", url: webhook.url("/validate"),
            caBundle: webhook.caBundle, objectSelector: #"{"matchLabels":{"checked":"yes"}}"#)
        let (unchecked, _) = await call(
            api, .POST, Self.ingresses, #"{"metadata":{"name":"a","labels":{"deny":"yes"}}}"#)
        #expect(unchecked == 201, "not selected, so not denied")
        let (checked, _) = await call(
            api, .POST, Self.ingresses, #"{"metadata":{"name":"b","labels":{"deny":"yes","checked":"yes"}}}"#)
        #expect(checked == 403)
    }

    @Test("failurePolicy Fail refuses when the webhook cannot be reached; Ignore lets the write through")
    func failurePolicy() async throws {
        let api = try DevAPIServer(authenticator: TokenAuthenticator(tokens: ["admin-token": .admin]), logger: logger)
        // Only its CA is used: the registered URLs name a port nothing listens on.
        let webhook = try await Webhook(api: api)
        webhook.task.cancel()
        await register(
            api, kind: "ValidatingWebhookConfiguration", name: "down.kcp.dev", url: "https://127.0.0.1:1/validate",
            caBundle: webhook.caBundle)
        let (refused, status) = await call(api, .POST, Self.ingresses, #"{"metadata":{"name":"a"}}"#)
        #expect(refused == 500)
        #expect(
            status?["message"]?.stringValue?.hasPrefix(
                #"Internal error occurred: failed calling webhook "down.kcp.dev""#) == true)

        await register(
            api, kind: "ValidatingWebhookConfiguration", name: "ignored.kcp.dev", url: "https://127.0.0.1:1/validate",
            caBundle: webhook.caBundle, failurePolicy: "Ignore")
        let (stillRefused, _) = await call(api, .POST, Self.ingresses, #"{"metadata":{"name":"b"}}"#)
        #expect(stillRefused == 500, "the Fail webhook still applies")
        _ = await api.router.respond(
            to: HTTPRequest(
                method: .DELETE,
                uri: "/apis/admissionregistration.k8s.io/v1/validatingwebhookconfigurations/down.kcp.dev",
                headers: ["authorization": "Bearer admin-token"]),
            logger: logger)
        let (allowed, _) = await call(api, .POST, Self.ingresses, #"{"metadata":{"name":"c"}}"#)
        #expect(allowed == 201, "an unreachable Ignore webhook does not block")
    }

    @Test("a webhook slower than timeoutSeconds fails the call at its deadline, while the webhook still holds it")
    func timeout() async throws {
        let api = try DevAPIServer(authenticator: TokenAuthenticator(tokens: ["admin-token": .admin]), logger: logger)
        let released = AsyncGate()
        // Held until the test releases it, after the write has returned: a
        // chain that waited for the answer would get "allowed" and a 201.
        // Over HTTP/2 the client resets the stream at its deadline, which
        // cancels the held call: that is no answer either.
        let answered = Locked(false)
        let webhook = try await ScriptedWebhook { _, _ in
            _ = await released.wait(upTo: .seconds(30))
            if !Task.isCancelled { answered.withLock { $0 = true } }
            return ScriptedWebhook.allow()
        }
        defer {
            released.open()
            webhook.stop()
        }
        await register(
            api, kind: "ValidatingWebhookConfiguration", name: "slow.kcp.dev", url: webhook.url("/slow"),
            caBundle: webhook.caBundle, timeout: 1)
        let (code, status) = await call(api, .POST, Self.ingresses, #"{"metadata":{"name":"a"}}"#)
        #expect(!answered.withLock { $0 }, "the write returned while the webhook was still held")
        #expect(code == 500)
        #expect(status?["message"]?.stringValue?.contains("timed out") == true)
    }
}

/// A value behind a lock, shareable between tasks and closures.
final class Locked<Value: Sendable>: Sendable {
    private let mutex: Mutex<Value>
    init(_ value: Value) { mutex = Mutex(value) }
    func withLock<Result>(_ body: (inout Value) -> Result) -> Result { mutex.withLock { body(&$0) } }
}
