import DevAPIServer
import Foundation
import HTTPServer
import KubeAPI
import Logging
import NIOCore
import NIOHTTP1
import Testing

/// A webhook registered with a `caBundle` that decodes from base64 but is
/// not PEM: building the TLS client context for it fails, and that failure
/// must stay one refused write, not bring the development API server down.
@Suite("Development API server: a webhook caBundle that is not PEM", .timeLimit(.minutes(2)))
struct WebhookCABundleTests {
    let logger = Logger(label: "test")

    func call(_ api: DevAPIServer, _ method: HTTPMethod, _ uri: String, _ body: String = "") async -> (UInt, JSON?) {
        let response = await api.router.respond(
            to: HTTPRequest(
                method: method, uri: uri,
                headers: ["authorization": "Bearer admin-token", "content-type": "application/json"],
                body: ByteBuffer(string: body)),
            logger: logger)
        return (response.status.code, try? JSON(parsing: response.body.readableBytesView))
    }

    static let configurations = "/apis/admissionregistration.k8s.io/v1/validatingwebhookconfigurations"
    static let ingresses = "/apis/networking.k8s.io/v1/namespaces/default/ingresses"

    @Test("the write gets a clear admission failure naming the webhook and the CA data, and the server keeps serving")
    func caBundleNotPEM() async throws {
        let api = try DevAPIServer(authenticator: TokenAuthenticator(tokens: ["admin-token": .admin]), logger: logger)
        let caBundle = Base64.encode(Array("not a certificate".utf8))
        let configuration = """
            {"apiVersion":"admissionregistration.k8s.io/v1","kind":"ValidatingWebhookConfiguration",
             "metadata":{"name":"bad-ca.kcp.dev"},
             "webhooks":[{"name":"bad-ca.kcp.dev","clientConfig":{"url":"https://127.0.0.1:1/validate","caBundle":"\(caBundle)"},
               "rules":[{"operations":["CREATE"],"apiGroups":["networking.k8s.io"],"apiVersions":["v1"],"resources":["ingresses"]}],
               "failurePolicy":"Fail","sideEffects":"None","timeoutSeconds":5,"admissionReviewVersions":["v1"]}]}
            """
        let (registered, _) = await call(api, .POST, Self.configurations, configuration)
        #expect(registered == 201)

        // Several writes: each builds the context again (a failed one is not
        // cached), and a double free of it would not always abort at once.
        for index in 0..<20 {
            let (code, status) = await call(api, .POST, Self.ingresses, #"{"metadata":{"name":"a\#(index)"}}"#)
            #expect(code == 500)
            let message = status?["message"]?.stringValue ?? ""
            #expect(message.contains(#"failed calling webhook "bad-ca.kcp.dev""#), "\(message)")
            #expect(message.contains("no PEM certificate found in the CA data"), "\(message)")
        }

        let (listed, list) = await call(api, .GET, Self.ingresses)
        #expect(listed == 200)
        #expect(list?["items"]?.arrayValue?.isEmpty == true, "nothing was stored by the refused writes")

        let (deleted, _) = await call(api, .DELETE, Self.configurations + "/bad-ca.kcp.dev")
        #expect(deleted == 200)
        let (created, _) = await call(api, .POST, Self.ingresses, #"{"metadata":{"name":"after"}}"#)
        #expect(created == 201, "with the webhook gone, the same server accepts the write")
    }
}
