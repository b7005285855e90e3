import ArgumentParser
import Foundation
import KubeClient
import Logging
import ServiceLifecycle
import TLS

/// The whole system in one process on 127.0.0.1, for a laptop: the
/// development API server, and `serve` against it with its webhooks
/// registered there (real webhook configurations, with the development CA
/// as their `caBundle`), the status loop and the xDS server.
struct DevCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "dev",
        abstract:
            "Run the development API server and serve (webhook registered in it, status loop, xDS) in one process on 127.0.0.1.",
        discussion: """
            Objects, the CA and tokens are kept under --data-dir. Arguments after -- go to serve, \
            for example: kcp-ingress dev -- --status-workers 8
            """
    )

    @Option(help: "Directory for objects, admin.kubeconfig, the CA (ca.crt) and the webhook's certificate.")
    var dataDir = ".kcp-ingress"

    @Option(help: "Port of the development API server (0 picks a free one).")
    var apiserverPort = 6443

    @Option(help: "Port of the webhook's HTTPS listener, registered in the API server.")
    var webhookPort = 8443

    @Option(help: "Port of the xDS server (ADS over gRPC, HTTP/2 cleartext).")
    var envoyxdsPort = 18000

    @Option(help: "Port of the HTTP listener the xDS server gives Envoy.")
    var envoyListenerPort = 8000

    @Option(help: "Port of the /healthz and /readyz listener; 0 disables it.")
    var healthProbePort = 8081

    @Option(help: "Port of the /metrics listener; 0 disables it.")
    var metricsPort = 8080

    @Option(
        help:
            "kube-apiserver's static token file (token,user,uid,\"group1,group2\"): more users, such as a syncer in group kcp-syncers."
    )
    var tokenAuthFile: String?

    @Flag(help: "Keep objects in memory only: every start begins empty.")
    var ephemeral = false

    @Option(help: "Log format: text or json.")
    var logFormat = LogFormat.text

    @Option(help: "Log level: trace, debug, info, notice, warning, error or critical.")
    var logLevel = LogLevel.info

    @Argument(parsing: .postTerminator, help: "Flags for serve, after --.")
    var serveArguments: [String] = []

    func validate() throws {
        for (flag, port) in [("--webhook-port", webhookPort), ("--envoyxds-port", envoyxdsPort)] {
            guard (1...65535).contains(port) else {
                throw ValidationError("\(flag) must be 1 to 65535: the webhook configurations and Envoy name it")
            }
        }
        for (flag, port) in [
            ("--apiserver-port", apiserverPort), ("--health-probe-port", healthProbePort),
            ("--metrics-port", metricsPort), ("--envoy-listener-port", envoyListenerPort),
        ] {
            guard (0...65535).contains(port) else { throw ValidationError("\(flag) must be 0 to 65535") }
        }
    }

    func run() async throws {
        Logs.bootstrap(format: logFormat, level: logLevel.level)
        let logger = Logger(label: "kcp-ingress")
        let (listening, announce) = AsyncStream.makeStream(of: String.self)
        let apiServer = try DevAPIServerSetup(
            dataDir: dataDir, bindAddress: "127.0.0.1", port: apiserverPort, tokenAuthFile: tokenAuthFile,
            ephemeral: ephemeral, logger: Logger(label: "kcp-ingress-dev-apiserver")
        ) { url, _ in
            announce.yield(url)
            announce.finish()
        }
        let webhookTLS = try writeWebhookCertificate(apiServer)
        // The API server has no signal handlers of its own: it stops after
        // serve has drained, so that serve's last writes still land.
        let apiGroup = ServiceGroup(
            configuration: .init(services: apiServer.services.map { .init(service: $0) }, logger: logger))
        let serveGroup = ServeGroupHandle()
        try await withThrowingTaskGroup(of: Void.self) { tasks in
            tasks.addTask {
                defer { announce.finish() }
                do {
                    try await apiGroup.run()
                } catch {
                    logger.critical("the development API server stopped", metadata: ["error": "\(error)"])
                }
                // Serve has nothing left to serve against: it stops too.
                await serveGroup.apiServerEnded()
            }
            var urls = listening.makeAsyncIterator()
            guard let url = await urls.next() else {
                logger.critical("the development API server did not start")
                throw ExitCode.failure
            }
            let serve = try ServeCommand.parse(serveArguments(webhookTLS: webhookTLS))
            guard serve.tlsCertFile == webhookTLS.certificate, serve.certManagement == .none else {
                logger.critical(
                    "kcp-ingress dev serves its webhook with its own certificate: leave out --tls-* and --cert-*")
                throw ExitCode.failure
            }
            // From serve's own flags, which may have been given after --.
            let webhook = "https://127.0.0.1:\(serve.webhookPort)"
            let banner = banner(apiServer: url, webhook: webhook)
            let services = try await serve.makeServices(logger: logger) { [self] in
                try await registerWebhooks(urlBase: webhook, caPEM: apiServer.certificates.caCertificatePEM)
                FileHandle.standardOutput.write(Data(banner.utf8))
            }
            let group = ServeCommand.serviceGroup(services, logger: logger)
            await serveGroup.started(group)
            try await group.run()
            await apiGroup.triggerGracefulShutdown()
            try await tasks.waitForAll()
        }
        logger.info("shut down cleanly")
    }

    /// The webhook listener's certificate: the development API server's own
    /// serving pair (for 127.0.0.1 and localhost), so the CA that kubectl
    /// trusts is also the webhooks' `caBundle`. Written as files, which the
    /// listener reads and watches as it would a mounted Secret.
    private func writeWebhookCertificate(_ apiServer: DevAPIServerSetup) throws -> (certificate: String, key: String) {
        let directory = apiServer.directory.appendingPathComponent("webhook")
        try FileManager.default.createDirectory(
            at: directory, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        let files = [
            ("tls.crt", apiServer.certificates.certificatePEM), ("tls.key", apiServer.certificates.privateKeyPEM),
        ]
        for (name, bytes) in files {
            let path = directory.appendingPathComponent(name).path
            try? FileManager.default.removeItem(atPath: path)
            guard
                FileManager.default.createFile(
                    atPath: path, contents: Data(bytes), attributes: [.posixPermissions: 0o600])
            else { throw CocoaError(.fileWriteUnknown, userInfo: [NSFilePathErrorKey: path]) }
        }
        return (
            directory.appendingPathComponent("tls.crt").path, directory.appendingPathComponent("tls.key").path
        )
    }

    /// serve's flags for this set-up; the user's, after --, come last and win.
    func serveArguments(webhookTLS: (certificate: String, key: String)) -> [String] {
        var arguments = [
            "--kubeconfig", URL(fileURLWithPath: dataDir).appendingPathComponent("controller.kubeconfig").path,
            "--leader-elect", "--leader-election-namespace", "kube-system",
            "--webhook-bind-address", "127.0.0.1", "--webhook-port", "\(webhookPort)",
            "--tls-cert-file", webhookTLS.certificate, "--tls-private-key-file", webhookTLS.key,
            "--health-probe-bind-address", healthProbePort == 0 ? "0" : "127.0.0.1:\(healthProbePort)",
            "--metrics-bind-address", metricsPort == 0 ? "0" : "127.0.0.1:\(metricsPort)",
            "--syncer-groups", "kcp-syncers",
            "--envoyxds", "--envoyxds-bind-address", "127.0.0.1", "--envoyxds-port", "\(envoyxdsPort)",
            "--envoy-listener-address", "127.0.0.1", "--envoy-listener-port", "\(envoyListenerPort)",
            "--log-format", logFormat.rawValue, "--log-level", logLevel.rawValue,
        ]
        arguments += GoStyleFlags.normalize(serveArguments[...])
        return arguments
    }

    private func registerWebhooks(urlBase: String, caPEM: [UInt8]) async throws {
        let admin = try KubeConfig.load(
            path: URL(fileURLWithPath: dataDir).appendingPathComponent("admin.kubeconfig").path)
        let client = try APIClient(connection: admin)
        try await WebhookRegistration(
            name: "kcp-ingress", urlBase: urlBase, caPEM: caPEM
        ).apply(client)
    }

    private func banner(apiServer url: String, webhook: String) -> String {
        let kubeconfig = (dataDir as NSString).appendingPathComponent("admin.kubeconfig")
        var lines = [
            "",
            "kcp-ingress dev is ready on 127.0.0.1:",
            "  API server  \(url)",
            "              kubectl --kubeconfig \(kubeconfig) get ingress,httproute,route -A -L kcp.dev/cluster",
            "  webhook     \(webhook) (/mutate and /validate, registered as kcp-ingress)",
            "  xDS (ADS)   127.0.0.1:\(envoyxdsPort)  envoy -c contrib/envoy/bootstrap.yaml --disable-hot-restart",
            "  Envoy's HTTP listener, once Envoy runs: http://127.0.0.1:\(envoyListenerPort)",
        ]
        if healthProbePort != 0 {
            lines.append("  probes      http://127.0.0.1:\(healthProbePort)/readyz")
            lines.append("  the page    http://127.0.0.1:\(healthProbePort)/debug (roots, leaves, clusters, Envoys)")
        }
        if metricsPort != 0 { lines.append("  metrics     http://127.0.0.1:\(metricsPort)/metrics") }
        lines.append("Ctrl-C stops it.")
        return lines.joined(separator: "\n") + "\n\n"
    }
}

extension DevCommand: AsyncRunnable {}

/// Serve's service group, once it exists, so that the development API
/// server ending (it failed) stops serve too, whenever that happens.
actor ServeGroupHandle {
    private var group: ServiceGroup?
    private var apiServerGone = false

    func started(_ group: ServiceGroup) async {
        self.group = group
        if apiServerGone { await group.triggerGracefulShutdown() }
    }

    func apiServerEnded() async {
        apiServerGone = true
        await group?.triggerGracefulShutdown()
    }
}
