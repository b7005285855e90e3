import DevAPIServer
import Foundation
import HTTPServer
import KubeAPI
import Logging
import NIOCore
import NIOHTTP1
import TLS

/// A webhook served by the project's own HTTPServer over HTTPS on
/// 127.0.0.1: it records every AdmissionReview it receives, by path, and
/// answers as the test scripts it.
final class ScriptedWebhook: Sendable {
    /// What one call received.
    struct Call: Sendable {
        var path: String
        var query: String?
        var review: JSON
        /// The protocol the call came over, and the client's port (one per connection).
        var version: HTTPVersion = .http1_1
        var clientPort: Int?
        var request: JSON { review["request"] ?? .null }
    }

    /// The answer to one call: a response to echo into a review of the
    /// request's version, or a whole HTTP response.
    enum Answer: Sendable {
        case response(JSON)
        case http(HTTPResponse)
    }

    typealias Script = @Sendable (_ path: String, _ request: JSON) async -> Answer

    let certificates: GeneratedCertificates
    let calls = Locked<[Call]>([])
    let port: Int
    /// The host webhook URLs name: `127.0.0.1`, or `localhost`.
    let urlHost: String
    private let task: Task<Void, any Error>

    /// The server offers `h2` and `http/1.1` by ALPN, as the product's
    /// webhook listener does; the client's offer decides.
    init(urlHost: String = "127.0.0.1", _ script: @escaping Script) async throws {
        self.urlHost = urlHost
        let certificates = try CertificateFactory.development(
            commonName: "webhook", dnsNames: ["localhost"], ipAddresses: ["127.0.0.1"])
        self.certificates = certificates
        let context = try TLSContext(
            configuration: .server(identity: certificates.identity, applicationProtocols: ["h2", "http/1.1"]))
        let calls = calls
        var router = Router()
        router.addPrefix("/") { request in
            let review = (try? JSON(parsing: request.body.readableBytesView)) ?? .null
            let call = Call(
                path: request.path, query: request.query, review: review, version: request.version,
                clientPort: request.connection.remoteAddress?.port)
            calls.withLock { $0.append(call) }
            switch await script(request.path, review["request"] ?? .null) {
            case .http(let response):
                return response
            case .response(var response):
                if response["uid"] == nil { response["uid"] = review["request"]?["uid"] ?? "" }
                return Self.reply([
                    "apiVersion": review["apiVersion"] ?? "", "kind": "AdmissionReview", "response": response,
                ])
            }
        }
        let (ports, continuation) = AsyncStream.makeStream(of: Int.self)
        let server = HTTPServer(
            configuration: ServerConfiguration(
                name: "webhook", address: BindAddress(host: "127.0.0.1", port: 0), protocols: .negotiated,
                tls: { context }),
            router: router, logger: Logger(label: "webhook"),
            onListening: { address in continuation.yield(address.port ?? 0) })
        task = Task { try await server.run() }
        var iterator = ports.makeAsyncIterator()
        guard let port = await iterator.next() else { throw WebhookSetupError() }
        self.port = port
    }

    func stop() { task.cancel() }

    static func reply(_ json: JSON) -> HTTPResponse {
        var body = ByteBuffer()
        body.writeBytes(json.bytes)
        return .bytes(.ok, contentType: "application/json", body)
    }

    func url(_ path: String) -> String { "https://\(urlHost):\(port)\(path)" }
    var caBundle: String { Base64.encode(certificates.caCertificatePEM) }

    func received(_ path: String) -> [Call] { calls.withLock { $0.filter { $0.path == path } } }

    /// A configuration with one webhook per entry, as JSON text.
    func configuration(
        kind: String,
        name: String,
        webhooks: [(path: String, extra: String)],
        rules: String = #"[{"operations":["*"],"apiGroups":["*"],"apiVersions":["*"],"resources":["*"]}]"#
    ) -> String {
        let items = webhooks.enumerated().map { index, webhook -> String in
            // The longest timeout allowed, unless the test sets one: on a
            // loaded machine a webhook call can take seconds.
            let timeout = webhook.extra.contains("timeoutSeconds") ? "" : #","timeoutSeconds":30"#
            return """
                {"name":"\(index).\(name)","clientConfig":{"url":"\(url(webhook.path))","caBundle":"\(caBundle)"},
                 "rules":\(rules),"sideEffects":"None","admissionReviewVersions":["v1"]\(timeout)\(webhook.extra)}
                """
        }
        return """
            {"apiVersion":"admissionregistration.k8s.io/v1","kind":"\(kind)","metadata":{"name":"\(name)"},
             "webhooks":[\(items.joined(separator: ","))]}
            """
    }

    /// A response that allows, with a JSON Patch given as text.
    static func allow(patch: String? = nil, warnings: [String] = []) -> Answer {
        var response: JSON = ["allowed": true]
        if let patch {
            response["patchType"] = "JSONPatch"
            response["patch"] = .string(Base64.encode(Array(patch.utf8)))
        }
        if !warnings.isEmpty { response["warnings"] = .array(warnings.map(JSON.string)) }
        return .response(response)
    }

    static func deny(code: Int64? = nil, message: String? = nil, reason: String? = nil, warnings: [String] = [])
        -> Answer
    {
        var status: JSON = [:]
        if let code { status["code"] = .integer(code) }
        if let message { status["message"] = .string(message) }
        if let reason { status["reason"] = .string(reason) }
        var response: JSON = ["allowed": false, "status": status]
        if !warnings.isEmpty { response["warnings"] = .array(warnings.map(JSON.string)) }
        return .response(response)
    }
}

struct WebhookSetupError: Error {}

/// The development API server in process, called through its router as the admin.
struct InProcessAPI {
    let server: DevAPIServer

    init(users: [String: APIUser] = ["admin-token": .admin]) throws {
        server = try DevAPIServer(authenticator: TokenAuthenticator(tokens: users), logger: Logger(label: "api"))
    }

    init(server: DevAPIServer) {
        self.server = server
    }

    func call(
        _ method: HTTPMethod, _ uri: String, _ body: String = "", token: String = "admin-token",
        contentType: String = "application/json"
    ) async -> (code: UInt, json: JSON?, headers: HTTPHeaders) {
        let response = await server.router.respond(
            to: HTTPRequest(
                method: method, uri: uri,
                headers: ["authorization": "Bearer \(token)", "content-type": contentType],
                body: ByteBuffer(string: body)),
            logger: Logger(label: "test"))
        return (response.status.code, try? JSON(parsing: response.body.readableBytesView), response.headers)
    }

    /// Registers a configuration; returns the status code.
    @discardableResult
    func register(_ kind: String, _ configuration: String) async -> UInt {
        let resource =
            kind == "MutatingWebhookConfiguration" ? "mutatingwebhookconfigurations" : "validatingwebhookconfigurations"
        return await call(.POST, "/apis/admissionregistration.k8s.io/v1/\(resource)", configuration).code
    }

    /// Registers `webhook`'s `/m` as a mutating and `/v` as a validating
    /// webhook (configurations `m.kcp.dev` and `v.kcp.dev`); true when both were created.
    func registerMutatingAndValidating(_ webhook: ScriptedWebhook) async -> Bool {
        let mutating = await register(
            "MutatingWebhookConfiguration",
            webhook.configuration(kind: "MutatingWebhookConfiguration", name: "m.kcp.dev", webhooks: [("/m", "")]))
        let validating = await register(
            "ValidatingWebhookConfiguration",
            webhook.configuration(kind: "ValidatingWebhookConfiguration", name: "v.kcp.dev", webhooks: [("/v", "")]))
        return mutating == 201 && validating == 201
    }

    static let ingresses = "/apis/networking.k8s.io/v1/namespaces/default/ingresses"
}
