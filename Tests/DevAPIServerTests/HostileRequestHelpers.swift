import Foundation
import HTTPServer
import KubeAPI
import Logging
import NIOCore
import NIOHTTP1

@testable import DevAPIServer

/// A server in memory and requests to it through its router, with raw
/// bodies: what an authenticated client with curl can send.
struct HostileClient {
    let server = try! DevAPIServer(
        authenticator: TokenAuthenticator(tokens: ["admin-token": .admin]), logger: Logger(label: "test"))

    static let ingresses = "/apis/networking.k8s.io/v1/namespaces/default/ingresses"
    static let ingress =
        #"{"apiVersion":"networking.k8s.io/v1","kind":"Ingress","metadata":{"name":"a","labels":{"app":"a"}},"spec":{"rules":[{"host":"a.example.com"}]}}"#

    struct Answer {
        var code: UInt
        var json: JSON?
        var contentType: String?
        var reason: String? { json?["reason"]?.stringValue }
        var message: String { json?["message"]?.stringValue ?? "" }
        /// A Kubernetes Status with the same code as the HTTP answer.
        var isStatus: Bool {
            json?["kind"] == "Status" && json?["code"]?.integerValue == Int64(code)
                && contentType == "application/json"
        }
    }

    func call(
        _ method: HTTPMethod,
        _ uri: String,
        bytes: [UInt8]? = nil,
        contentType: String = "application/json",
        authorization: String = "Bearer admin-token"
    ) async -> Answer {
        var headers: HTTPHeaders = ["authorization": authorization]
        if bytes != nil { headers.add(name: "content-type", value: contentType) }
        let request = HTTPRequest(method: method, uri: uri, headers: headers, body: ByteBuffer(bytes: bytes ?? []))
        let response = await server.router.respond(to: request, logger: Logger(label: "test"))
        return Answer(
            code: response.status.code, json: try? JSON(parsing: response.body.readableBytesView),
            contentType: response.headers.first(name: "content-type"))
    }

    func call(_ method: HTTPMethod, _ uri: String, _ body: String, contentType: String = "application/json") async
        -> Answer
    {
        await call(method, uri, bytes: Array(body.utf8), contentType: contentType)
    }

    /// The server still serves: `/version` answers.
    func answersVersion() async -> Bool {
        await call(.GET, "/version").json?["gitVersion"]?.stringValue != nil
    }

    func resourceVersion(of uri: String) async -> String? {
        await call(.GET, uri).json?["metadata"]?["resourceVersion"]?.stringValue
    }
}
