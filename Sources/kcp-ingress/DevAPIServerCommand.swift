import ArgumentParser
import DevAPIServer
import Foundation
import HTTPServer
import Logging
import NIOCore
import ServiceLifecycle
import TLS
import UnixSignals

/// Runs the embedded development API server alone, for tests and demos.
struct DevAPIServerCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "dev-apiserver",
        abstract: "Run the embedded development API server (a Kubernetes-style API for this project's kinds)."
    )

    @Option(help: "Directory for admin.kubeconfig, controller.kubeconfig and the generated CA and serving certificate.")
    var dataDir = ".kcp-ingress"

    @Option(help: "HTTPS port (0 picks a free one).")
    var securePort = 6443

    @Option(help: "Address to listen on.")
    var bindAddress = "127.0.0.1"

    @Option(
        help:
            "kube-apiserver's static token file (token,user,uid,\"group1,group2\"): more users beside the generated admin and controller tokens."
    )
    var tokenAuthFile: String?

    @Option(help: "After SIGTERM or SIGINT, keep serving this long before watches end and the listener drains.")
    var shutdownDelay = GoDuration(duration: .zero, description: "0s")

    @Flag(help: "Keep objects in memory only, instead of an fsync'd log under --data-dir.")
    var ephemeral = false

    @Option(help: "Log format: text or json.")
    var logFormat = LogFormat.text

    @Option(help: "Log level.")
    var logLevel = LogLevel.info

    func run() async throws {
        Logs.bootstrap(format: logFormat, level: logLevel.level)
        let logger = Logger(label: "kcp-ingress-dev-apiserver")
        let setup = try DevAPIServerSetup(
            dataDir: dataDir, bindAddress: bindAddress, port: securePort, tokenAuthFile: tokenAuthFile,
            ephemeral: ephemeral, logger: logger
        ) { url, kubeconfig in
            FileHandle.standardOutput.write(Data("serving on \(url); kubeconfig: \(kubeconfig)\n".utf8))
        }
        let group = ServiceGroup(
            configuration: .init(
                services: (setup.services + [ShutdownDelay(delay: shutdownDelay.duration, logger: logger)]).map {
                    .init(service: $0)
                },
                gracefulShutdownSignals: [.sigterm, .sigint], logger: logger))
        try await group.run()
    }
}

/// The development API server ready to run: its identity (CA, serving
/// certificate, tokens) loaded or made, and the services that serve it.
/// Once it listens, `admin.kubeconfig` and `controller.kubeconfig` are
/// written under the data directory and `onListening` hears the URL.
struct DevAPIServerSetup {
    let directory: URL
    let certificates: GeneratedCertificates
    let services: [any Service]

    init(
        dataDir: String,
        bindAddress: String,
        port: Int,
        tokenAuthFile: String?,
        ephemeral: Bool,
        logger: Logger,
        onListening: @escaping @Sendable (_ url: String, _ adminKubeconfig: String) -> Void
    ) throws {
        let directory = URL(fileURLWithPath: dataDir)
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        // With persistent objects the CA, serving certificate and tokens persist too: a
        // restarted server keeps its clients' kubeconfigs valid.
        let identity = try DevServerIdentity.loadOrCreate(directory: ephemeral ? nil : directory)
        let certificates = identity.certificates
        try Data(certificates.caCertificatePEM).write(to: directory.appendingPathComponent("ca.crt"))
        let context = try TLSContext(
            configuration: .server(identity: certificates.identity, applicationProtocols: ["h2", "http/1.1"]))
        let generated = identity.authenticator
        let authenticator =
            try tokenAuthFile.map {
                try TokenAuthenticator(staticTokenFile: String(contentsOfFile: $0, encoding: .utf8)).merging(generated)
            } ?? generated
        let server = try DevAPIServer(
            authenticator: authenticator, logger: logger,
            dataDirectory: ephemeral ? nil : directory.appendingPathComponent("objects"))

        // Refusals the listener makes itself are Status objects, as kube-apiserver's are.
        var limits = ConnectionLimits()
        limits.refusalFormat = DevAPIServer.statusRefusals
        let listener = HTTPServer(
            configuration: ServerConfiguration(
                name: "dev-apiserver", address: BindAddress(host: bindAddress, port: port),
                protocols: .negotiated,
                tls: { context }, limits: limits),
            router: server.router,
            logger: logger,
            onListening: { address in
                let url = "https://\(address.ipAddress ?? bindAddress):\(address.port ?? port)"
                for (user, file) in [
                    (APIUser.admin, "admin.kubeconfig"), (APIUser.controller, "controller.kubeconfig"),
                ] {
                    let text = KubeconfigFile.text(
                        server: url, caPEM: certificates.caCertificatePEM, user: user.name,
                        token: authenticator.token(for: user)!)
                    let path = directory.appendingPathComponent(file)
                    _ = FileManager.default.createFile(
                        atPath: path.path, contents: Data(text.utf8), attributes: [.posixPermissions: 0o600])
                }
                onListening(url, directory.appendingPathComponent("admin.kubeconfig").path)
            })
        self.directory = directory
        self.certificates = certificates
        self.services = [listener, WatchCloser(server: server)]
    }
}

extension DevAPIServerCommand: AsyncRunnable {}

/// Ends the server's watches as soon as shutdown begins.
struct WatchCloser: Service {
    let server: DevAPIServer

    func run() async throws {
        try? await gracefulShutdown()
        server.closeWatches()
    }
}
