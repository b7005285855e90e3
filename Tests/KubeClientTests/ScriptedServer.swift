import HTTPServer
import KubeAPI
import Logging
import NIOCore
import NIOHTTP1
import Synchronization
import TLS
import TestSupport

@testable import KubeClient

/// An HTTPS server that answers the n-th request (from 0) as the test
/// scripts, recording every request: for answers the development API
/// server never gives (429, 403, 5xx, garbage, silence).
final class ScriptedServer: Sendable {
    let port: Int
    let caPEM: [UInt8]
    private let recorded: Recorder
    private let task: Task<Void, any Error>

    final class Recorder: Sendable {
        let requests = Mutex<[HTTPRequest]>([])
        let count = Atomic<Int>(0)
    }

    convenience init(_ script: @escaping @Sendable (Int) async -> HTTPResponse) async throws {
        try await self.init(requests: { index, _ in await script(index) })
    }

    /// Answers with `script(n, request)`, for scripts that depend on what was asked.
    init(requests script: @escaping @Sendable (Int, HTTPRequest) async -> HTTPResponse) async throws {
        let certificates = try CertificateFactory.development(
            commonName: "scripted", dnsNames: ["localhost"], ipAddresses: ["127.0.0.1"])
        let context = try TLSContext(configuration: .server(identity: certificates.identity))
        let recorded = Recorder()
        var router = Router()
        router.addPrefix("/") { request in
            recorded.requests.withLock { $0.append(request) }
            return await script(recorded.count.add(1, ordering: .relaxed).oldValue, request)
        }
        let listening = Listening()
        let server = HTTPServer(
            configuration: ServerConfiguration(
                name: "scripted", address: BindAddress(host: "127.0.0.1", port: 0), tls: { context },
                shutdownGracePeriod: .zero),
            router: router, logger: Logger(label: "scripted"),
            onListening: listening.report)
        task = Task { try await server.run() }
        port = try await listening.port()
        caPEM = certificates.caCertificatePEM
        self.recorded = recorded
    }

    var requests: [HTTPRequest] { recorded.requests.withLock { $0 } }

    func connection(prefix: String = "", token: String? = "scripted", tokenFile: String? = nil) -> ClusterConnection {
        ClusterConnection(
            server: "https://127.0.0.1:\(port)\(prefix)", certificateAuthority: caPEM, insecureSkipTLSVerify: false,
            clientCertificate: nil, clientKey: nil, token: token, tokenFile: tokenFile)
    }

    func stop() { task.cancel() }

    static func status(_ code: Int64, _ reason: String, _ message: String, headers: [(String, String)] = [])
        -> HTTPResponse
    {
        var body = ByteBuffer()
        body.writeBytes(Status(code: code, reason: reason, message: message).json.bytes)
        var response = HTTPResponse.bytes(.init(statusCode: Int(code)), contentType: "application/json", body)
        for (name, value) in headers { response.headers.add(name: name, value: value) }
        return response
    }

    /// A watch that stays silent for the rest of a test (then ends, expired):
    /// for scripts that have what they need once a list is in.
    static func silentWatch() async -> HTTPResponse {
        try? await Task.sleep(for: .seconds(30))
        return status(410, "Expired", "too old")
    }

    static func ok(_ json: JSON) -> HTTPResponse {
        var body = ByteBuffer()
        body.writeBytes(json.bytes)
        return .bytes(.ok, contentType: "application/json", body)
    }
}
