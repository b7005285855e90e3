import DevAPIServer
import Foundation
import HTTPServer
import KubeAPI
import Logging
import NIOCore
import ServiceLifecycle
import Synchronization
import TLS
import TestSupport

@testable import KubeClient

/// The development API server in this process, on a port of its own, which
/// a test can stop and start again on the same port and data directory (a
/// restarted API server: connections drop, objects and revisions stay).
final class TestAPIServer: Sendable {
    static let token = "test-admin-token"

    let directory: URL
    let persistent: Bool
    let historyCapacity: Int
    let caPEM: [UInt8]
    private let context: TLSContext
    private let running = Mutex<(port: Int, group: ServiceGroup?, task: Task<Void, any Error>?)>((0, nil, nil))

    init(persistent: Bool = false, historyCapacity: Int = 10_000) async throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("kcp-client-\(UUID().uuidString)")
        self.persistent = persistent
        self.historyCapacity = historyCapacity
        let certificates = try CertificateFactory.development(
            commonName: "test-apiserver", dnsNames: ["localhost"], ipAddresses: ["127.0.0.1"])
        caPEM = certificates.caCertificatePEM
        context = try TLSContext(
            configuration: .server(identity: certificates.identity, applicationProtocols: ["h2", "http/1.1"]))
        try await start()
    }

    var port: Int { running.withLock { $0.port } }

    var connection: ClusterConnection {
        ClusterConnection(
            server: "https://127.0.0.1:\(port)", certificateAuthority: caPEM, insecureSkipTLSVerify: false,
            clientCertificate: nil, clientKey: nil, token: Self.token, tokenFile: nil)
    }

    func client(_ configure: (inout APIClientOptions) -> Void = { _ in }) throws -> APIClient {
        var options = APIClientOptions()
        options.qps = 10_000
        options.burst = 10_000
        configure(&options)
        return try APIClient(connection: connection, options: options)
    }

    /// Starts serving, on the port used before if there was one.
    func start() async throws {
        let logger = Logger(label: "test-apiserver")
        let server = try DevAPIServer(
            authenticator: TokenAuthenticator(tokens: [Self.token: .admin]), logger: logger,
            dataDirectory: persistent ? directory : nil, historyCapacity: historyCapacity,
            bookmarkInterval: .milliseconds(500))
        let listening = Listening()
        let context = context
        let listener = HTTPServer(
            configuration: ServerConfiguration(
                name: "test-apiserver", address: BindAddress(host: "127.0.0.1", port: port),
                protocols: .negotiated, tls: { context }, shutdownGracePeriod: .zero),
            router: server.router, logger: logger,
            onListening: listening.report)
        let group = ServiceGroup(services: [listener], logger: logger)
        let task = Task { try await group.run() }
        let bound = try await listening.port()
        running.withLock { $0 = (bound, group, task) }
    }

    /// Stops serving: every connection is closed.
    func stop() async {
        let (group, task) = running.withLock { ($0.group, $0.task) }
        await group?.triggerGracefulShutdown()
        _ = await task?.result
        running.withLock {
            $0.group = nil
            $0.task = nil
        }
    }

    func restart() async throws {
        await stop()
        try await start()
    }

    func shutdown() async {
        await stop()
        try? FileManager.default.removeItem(at: directory)
    }

    /// Runs `body` against a new server and shuts the server down before
    /// returning, whether `body` returned or threw: no server outlives its test.
    static func with<T>(
        persistent: Bool = false, historyCapacity: Int = 10_000, _ body: (TestAPIServer) async throws -> T
    ) async throws -> T {
        let server = try await TestAPIServer(persistent: persistent, historyCapacity: historyCapacity)
        do {
            let result = try await body(server)
            await server.shutdown()
            return result
        } catch {
            await server.shutdown()
            throw error
        }
    }
}

extension APIClient {
    /// A Namespace-scoped Service named `name` with `labels`.
    func createService(_ name: String, namespace: String = "default", labels: [String: String] = [:]) async throws
        -> JSON
    {
        var service = Service(name: name, namespace: namespace)
        service.metadata.labels = labels
        return try await create(service.json, Service.type, namespace: namespace)
    }
}
