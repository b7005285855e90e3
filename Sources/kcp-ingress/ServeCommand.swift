import Admission
import ArgumentParser
import Foundation
import GRPC
import HTTPServer
import KubeClient
import Logging
import Metrics
import NIOCore
import NIOHTTP1
import OpsPage
import Placement
import PlacementAPI
import Prometheus
import ServiceLifecycle
import ServingCertificates
import StatusLoop
import TLS
import UnixSignals
import XDS

/// Serves the admission webhook over HTTPS, with probes and metrics beside it.
struct ServeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Serve the admission webhook over HTTPS (the default command)."
    )

    @Option(help: "Port of the HTTPS webhook listener.")
    var webhookPort = 8443

    @Option(help: "Address the webhook listener binds to.")
    var webhookBindAddress = "0.0.0.0"

    @Option(help: "PEM certificate chain for the webhook listener; reloaded when it changes.")
    var tlsCertFile: String?

    @Option(help: "PEM private key for --tls-cert-file; reloaded when it changes.")
    var tlsPrivateKeyFile: String?

    @Option(help: "PEM CA bundle: when set, webhook clients must present a certificate it signed.")
    var clientCaFile: String?

    @Option(
        help:
            "none: the serving certificate comes from --tls-cert-file; self: kcp-ingress makes a CA and serving certificate, keeps them in a Secret, renews them and sets the webhook configurations' caBundle."
    )
    var certManagement = CertManagement.none

    @Option(help: "With --cert-management=self: the Secret shared by the replicas.")
    var certSecretName = "kcp-ingress-webhook-tls"

    @Option(
        help: "With --cert-management=self: the Secret's namespace (default: the pod's namespace, else kube-system).")
    var certNamespace: String?

    @Option(help: "With --cert-management=self: the webhook's Service, whose DNS names the certificate carries.")
    var certServiceName = "kcp-ingress"

    @Option(help: "With --cert-management=self: where the current pair is written for the listener.")
    var certDir = "/tmp/kcp-ingress/serving-certs"

    @Option(
        help:
            "With --cert-management=self: the MutatingWebhookConfiguration and ValidatingWebhookConfiguration whose caBundle is kept."
    )
    var webhookConfigurationName = "kcp-ingress"

    @Option(
        help:
            "With --cert-management=self: a serving certificate's lifetime; renewed with a third left, the CA (ten times as long) likewise."
    )
    var certValidity = GoDuration(duration: .seconds(90 * 86_400), description: "2160h")

    @Option(help: "host:port of the plain-HTTP /healthz and /readyz listener; 0 disables it.")
    var healthProbeBindAddress = ":8081"

    @Option(help: "host:port of the Prometheus /metrics listener; 0 disables it.")
    var metricsBindAddress = ":8080"

    @Flag(
        help:
            "Serve the xDS server (ADS, state of the world and delta) and gRPC health on --envoyxds-port, HTTP/2 cleartext."
    )
    var envoyxds = false

    @Option(help: "Port of the gRPC listener started by --envoyxds.")
    var envoyxdsPort = 18000

    @Option(help: "Address the gRPC listener binds to.")
    var envoyxdsBindAddress = "0.0.0.0"

    @Option(help: "Address of the HTTP listener the xDS server gives Envoy.")
    var envoyListenerAddress = "0.0.0.0"

    @Option(help: "Port of the HTTP listener the xDS server gives Envoy.")
    var envoyListenerPort = 80

    @Option(help: "Envoy's node id; Envoys with another id get the same routes (and a note in the log).")
    var envoyNodeId = "kcp-ingress"

    @Option(help: "PEM certificate chain: serve the gRPC listener over TLS (ALPN h2) instead of cleartext.")
    var envoyxdsTlsCertFile: String?

    @Option(help: "PEM private key for --envoyxds-tls-cert-file.")
    var envoyxdsTlsPrivateKeyFile: String?

    @Option(help: "PEM CA bundle: gRPC clients must present a certificate it signed (needs --envoyxds-tls-cert-file).")
    var envoyxdsClientCaFile: String?

    @Option(help: "Largest request body accepted, in bytes; larger ones get 413.")
    var maxRequestBytes = 7 * 1024 * 1024

    @Option(help: "Largest request headers accepted, in bytes; larger ones get 431.")
    var maxHeaderBytes = 64 * 1024

    @Option(help: "Time a client has to finish the TLS handshake, and to send a request once it began.")
    var readTimeout = GoDuration(duration: .seconds(30), description: "30s")

    @Option(help: "Time an idle keep-alive connection is kept open.")
    var idleTimeout = GoDuration(duration: .seconds(120), description: "2m")

    @Option(help: "Time in-flight requests get to finish after SIGTERM or SIGINT.")
    var shutdownGracePeriod = GoDuration(duration: .seconds(30), description: "30s")

    @Option(
        help:
            "After SIGTERM or SIGINT, /readyz fails at once but the listeners keep serving this long before they drain, so endpoints drop the pod first."
    )
    var shutdownDelay = GoDuration(duration: .zero, description: "0s")

    @Option(help: "How often certificate files are re-read, besides file-change events.")
    var certificatePollInterval = GoDuration(duration: .seconds(10), description: "10s")

    @Option(
        help:
            "kubeconfig of the API server (or kcp workspace) to read and write; else KUBECONFIG, the in-cluster service account, or ~/.kube/config."
    )
    var kubeconfig: String?

    @Option(help: "kubeconfig context to use instead of the current one.")
    var context: String?

    @Option(help: "Requests per second to the API server, sustained.")
    var kubeApiQps: Double = 20

    @Option(help: "Requests to the API server allowed at once above --kube-api-qps.")
    var kubeApiBurst = 30

    @Flag(help: "Compete for a Lease so that only one replica runs the status loop.")
    var leaderElect = false

    @Option(help: "Namespace of the leader election Lease (default: the pod's namespace, else kube-system).")
    var leaderElectionNamespace: String?

    @Option(help: "Name of the leader election Lease.")
    var leaderElectionId = "kcp-ingress-leader"

    @Option(help: "Time the leaf writes of one admission review may take, well inside the webhook's timeout.")
    var leafWriteTimeout = GoDuration(duration: .seconds(5), description: "5s")

    @Option(help: "Leaf writes per second to the API server, sustained (a client of their own).")
    var leafWriteQps: Double = 200

    @Option(help: "Leaf writes allowed at once above --leaf-write-qps.")
    var leafWriteBurst = 400

    @Option(help: "The identity kcp-ingress writes leaves as: the only user allowed to change them.")
    var controllerUsername = AdmissionSettings().controllerUsername

    @Option(
        parsing: .singleValue,
        help: "A group whose members may update leaves' status (the syncers); repeat or comma-separate for several.")
    var syncerGroups: [String] = []

    @Option(help: "Roots the status loop reconciles at once.")
    var statusWorkers = 4

    @Option(help: "Every root is reconciled again this often, whatever happened.")
    var resyncPeriod = GoDuration(duration: .seconds(10 * 3600), description: "10h")

    @Option(help: "A leaf whose root does not exist is deleted after being seen so this long.")
    var orphanGracePeriod = GoDuration(duration: .seconds(30), description: "30s")

    @Option(help: "The domain of status hosts: a root's hosts inside it are its own, others get <hash>.<domain>.")
    var domain = StatusHost.defaultDomain

    @Option(
        help:
            "Serve the operator's page, /debug and /debug/state.json, on the --health-probe-bind-address listener."
    )
    var debugPage = true

    @Option(help: "Log format: text or json.")
    var logFormat = LogFormat.text

    @Option(help: "Log level: trace, debug, info, notice, warning, error or critical.")
    var logLevel = LogLevel.info

    func validate() throws {
        switch certManagement {
        case .none:
            guard tlsCertFile != nil, tlsPrivateKeyFile != nil else {
                throw ValidationError(
                    "--tls-cert-file and --tls-private-key-file are required, or --cert-management=self (certs/gen-dev-certs.sh makes a development pair)"
                )
            }
        case .self:
            guard tlsCertFile == nil, tlsPrivateKeyFile == nil else {
                throw ValidationError(
                    "--cert-management=self writes its own pair under --cert-dir: leave out --tls-cert-file and --tls-private-key-file"
                )
            }
            guard certValidity.duration >= .seconds(3) else {
                throw ValidationError("--cert-validity must be at least 3s")
            }
        }
        guard (0...65535).contains(webhookPort) else { throw ValidationError("--webhook-port must be 0 to 65535") }
        guard maxRequestBytes > 0, maxHeaderBytes > 0 else { throw ValidationError("size limits must be positive") }
        guard (envoyxdsTlsCertFile == nil) == (envoyxdsTlsPrivateKeyFile == nil) else {
            throw ValidationError("--envoyxds-tls-cert-file and --envoyxds-tls-private-key-file go together")
        }
        guard envoyxdsClientCaFile == nil || envoyxdsTlsCertFile != nil else {
            throw ValidationError("--envoyxds-client-ca-file needs --envoyxds-tls-cert-file")
        }
        guard kubeApiQps > 0, kubeApiBurst > 0 else {
            throw ValidationError("--kube-api-qps and --kube-api-burst must be positive")
        }
        guard leafWriteQps > 0, leafWriteBurst > 0 else {
            throw ValidationError("--leaf-write-qps and --leaf-write-burst must be positive")
        }
        guard leafWriteTimeout.duration > .zero else { throw ValidationError("--leaf-write-timeout must be positive") }
        guard (1...65535).contains(envoyListenerPort) else {
            throw ValidationError("-envoy-listener-port must be 1 to 65535")
        }
        guard statusWorkers > 0 else { throw ValidationError("--status-workers must be positive") }
        guard resyncPeriod.duration > .zero, orphanGracePeriod.duration >= .zero else {
            throw ValidationError("--resync-period must be positive and --orphan-grace-period not negative")
        }
    }

    var statusLoopSettings: StatusLoopSettings {
        var settings = StatusLoopSettings()
        settings.workers = statusWorkers
        settings.resyncPeriod = resyncPeriod.duration
        settings.orphanGracePeriod = orphanGracePeriod.duration
        // With Envoy in front (the xDS server), roots report Envoy's host.
        settings.statusHostDomain = envoyxds ? domain : nil
        return settings
    }

    var translationSettings: TranslationSettings {
        TranslationSettings(
            listenerAddress: envoyListenerAddress, listenerPort: envoyListenerPort, statusHostDomain: domain)
    }

    var admissionSettings: AdmissionSettings {
        var settings = AdmissionSettings()
        settings.controllerUsername = controllerUsername
        settings.syncerGroups = Set(
            syncerGroups.flatMap { $0.split(separator: ",") }.map { $0.trimmingCharacters(in: .whitespaces) }
                .filter { !$0.isEmpty })
        settings.leafWriteTimeout = leafWriteTimeout.duration
        return settings
    }

    func run() async throws {
        Logs.bootstrap(format: logFormat, level: logLevel.level)
        let logger = Logger(label: "kcp-ingress")
        try await Self.serviceGroup(try await makeServices(logger: logger), logger: logger).run()
        logger.info("shut down cleanly")
    }

    /// `services` run until SIGTERM or SIGINT, then shut down, the last first.
    static func serviceGroup(_ services: [any Service], logger: Logger) -> ServiceGroup {
        ServiceGroup(
            configuration: .init(
                services: services.map { .init(service: $0) },
                gracefulShutdownSignals: [.sigterm, .sigint],
                logger: logger))
    }

    /// Everything `serve` runs, in start order. `whenReady` runs once
    /// `/readyz` first passes (`kcp-ingress dev` registers its webhooks then).
    func makeServices(
        logger: Logger, whenReady: (@Sendable () async throws -> Void)? = nil
    ) async throws -> [any Service] {
        let registry = PrometheusCollectorRegistry()
        MetricsSystem.bootstrap(Self.metricsFactory(registry))
        var services: [any Service] = []
        #if canImport(Glibc)
            services.append(HeapTrim(logger: logger))
        #endif

        // A bad certificate is the one line a failed start prints, before any
        // word about the API server; a self-managed one needs that server first.
        let cluster: (ClusterSync, ClusterConnection, APIClient)?
        let certificates: CertificateReloader
        if certManagement == .self {
            cluster = try clusterSync(logger: logger)
            let managed = try await managedCertificates(cluster?.2, logger: logger)
            certificates = try loadCertificates(managed.certificateFile, managed.keyFile, logger: logger)
            services.append(ManagedCertificates(manager: managed, reloader: certificates))
        } else {
            certificates = try loadCertificates(tlsCertFile!, tlsPrivateKeyFile!, logger: logger)
            cluster = try clusterSync(logger: logger)
        }
        logger.info(
            "serving certificate loaded",
            metadata: ["serial": "\(certificates.current.certificate?.serialNumber ?? "")"])

        let health = HealthChecks()
        health.addReadinessCheck("certificates") {
            certificates.current.certificate == nil ? .failed("no serving certificate") : .passed
        }

        var limits = ConnectionLimits()
        limits.maxRequestBytes = maxRequestBytes
        limits.maxHeaderBytes = maxHeaderBytes
        limits.readTimeout = TimeAmount(readTimeout.duration)
        limits.idleTimeout = TimeAmount(idleTimeout.duration)

        services.append(CertificateWatch(reloader: certificates, pollInterval: certificatePollInterval.duration))
        if let address = try BindAddress(flag: metricsBindAddress) {
            var routes = Router()
            routes.add(.GET, "/metrics") { _ in
                .bytes(
                    .ok, contentType: "text/plain; version=0.0.4; charset=utf-8",
                    ByteBuffer(bytes: registry.emitToBuffer()))
            }
            services.append(listener("metrics", address, routes, limits, logger))
        }
        // The probe listener starts here, in shutdown order, but its routes
        // (the operator's page reads the informers and the xDS server) are
        // complete only further down.
        let probeAddress = try BindAddress(flag: healthProbeBindAddress)
        let probeIndex = services.count
        let settings = admissionSettings
        var reader: (any PlacementReader)?
        var writer: LeafWriter?
        var xds: XDSServing?
        var statusLoop: StatusLoop?
        if let (found, connection, client) = cluster {
            var sync = found
            sync.addReadinessCheck(to: health)
            reader = sync.reader
            let leafWriter = try LeafWriter(
                connection: connection, timeout: settings.leafWriteTimeout, qps: leafWriteQps, burst: leafWriteBurst)
            writer = leafWriter
            if envoyxds {
                xds = XDSServing(sync: sync, settings: translationSettings, nodeID: envoyNodeId, logger: logger)
            }
            var loopSettings = statusLoopSettings
            loopSettings.routing = xds?.readiness
            statusLoop = StatusLoop(
                stores: sync.stores, client: client, writer: leafWriter, settings: loopSettings, logger: logger)
            sync.statusLoop = statusLoop
            services.append(sync)
        } else if envoyxds {
            xds = XDSServing(sync: nil, settings: translationSettings, nodeID: envoyNodeId, logger: logger)
        }
        if let probeAddress {
            var routes = health.routes
            if debugPage {
                routes.merge(DebugRoutes.router(inputs: debugInputs(cluster?.0, xds: xds, statusLoop: statusLoop)))
            }
            services.insert(listener("health", probeAddress, routes, limits, logger), at: probeIndex)
        }
        var mutator = Mutator(reader: reader, writer: writer)
        if let readiness = xds?.readiness { mutator.onRootAdmitted = { readiness.admitted($0, $1) } }
        let admission = AdmissionWebhook(
            validator: Validator(settings: settings, reader: reader), mutator: mutator, logger: logger)
        var webhookRoutes = HealthChecks.livenessRoute
        webhookRoutes.merge(admission.routes)
        let webhook = ServerConfiguration(
            name: "webhook",
            address: BindAddress(host: webhookBindAddress, port: webhookPort),
            protocols: .negotiated,
            tls: { certificates.current },
            limits: limits,
            shutdownGracePeriod: shutdownGracePeriod.duration)
        let servingStatus = HealthStatusRegistry()
        services.append(HTTPServer(configuration: webhook, router: webhookRoutes, logger: logger))
        // Added after the webhook's listener so that the gRPC listener drains
        // first: the group shuts services down one at a time, the last added
        // first, and Envoy's streams are to end as soon as the shutdown delay
        // is over, not after the webhook's last requests.
        if let xds {
            let statusLoop = statusLoop
            services.append(
                XDSLoop(serving: xds) { roots in
                    await statusLoop?.routingChanged(roots.map { (kind: $0.kind, key: $0.key) })
                })
            services.append(
                contentsOf: try grpcListener(
                    services: [HealthService(registry: servingStatus), xds.service], limits: limits, logger: logger))
        }
        // Last, so that it is the first to hear of shutdown: gRPC health turns
        // NOT_SERVING before any listener starts draining.
        services.append(ServingStatusLifecycle(registry: servingStatus, health: health))
        // Later still: readiness fails and gRPC health turns NOT_SERVING at once,
        // then the listeners keep serving for --shutdown-delay.
        services.append(
            ShutdownDelay(delay: shutdownDelay.duration, logger: logger) {
                health.beginShutdown()
                servingStatus.shutDown()
            })
        if let whenReady { services.append(WhenReady(health: health, action: whenReady, logger: logger)) }
        return services
    }

    /// Prometheus with histogram buckets that fit what they measure: an
    /// admission review or a request takes well under the default's first
    /// bucket (5 ms), and a route's programming or a status propagation can
    /// take longer than its last (10 s).
    static func metricsFactory(_ registry: PrometheusCollectorRegistry) -> PrometheusMetricsFactory {
        var factory = PrometheusMetricsFactory(registry: registry)
        let fast: [Duration] = [
            .microseconds(250), .microseconds(500), .milliseconds(1), .microseconds(2500), .milliseconds(5),
            .milliseconds(10), .milliseconds(25), .milliseconds(50), .milliseconds(100), .milliseconds(250),
            .milliseconds(500), .seconds(1), .microseconds(2_500_000), .seconds(5), .seconds(10),
        ]
        let slow: [Duration] = [
            .milliseconds(10), .milliseconds(50), .milliseconds(100), .milliseconds(250), .milliseconds(500),
            .seconds(1), .seconds(2), .seconds(5), .seconds(10), .seconds(30), .seconds(60), .seconds(120),
        ]
        for name in ["controller_runtime_webhook_latency_seconds", "http_request_duration_seconds"] {
            factory.durationHistogramBuckets[name] = fast
        }
        for name in ["kcp_ingress_route_programmed_seconds", "kcp_ingress_status_propagation_seconds"] {
            factory.durationHistogramBuckets[name] = slow
        }
        return factory
    }

    /// What the operator's page shows, read anew for each request.
    private func debugInputs(_ sync: ClusterSync?, xds: XDSServing?, statusLoop: StatusLoop?)
        -> @Sendable () async -> DebugInputs
    {
        let stores = sync?.stores
        let elector = sync?.elector
        let readiness = xds?.readiness
        let registry = xds?.registry
        @Sendable func read() async -> DebugInputs {
            let judged = readiness?.judgedStates() ?? [:]
            let programmed = readiness?.lastProgrammed() ?? [:]
            // A root not judged yet has no virtual host to wait for.
            var routing: (@Sendable (RootIdentity) -> RoutingState)?
            if readiness != nil { routing = { @Sendable root in judged[root] ?? .routed } }
            let objects = (stores?.roots ?? [:]).mapValues { $0.store.list() }
            return DebugInputs(
                version: KCPIngressVersion.current, leader: elector?.isLeader,
                informersSynced: stores?.hasSynced ?? false, queueDepth: await statusLoop?.queueDepth(),
                streams: registry?.streams ?? [], objects: objects, routing: routing,
                programmed: { programmed[$0] })
        }
        return read
    }

    private func loadCertificates(_ certificate: String, _ key: String, logger: Logger) throws
        -> CertificateReloader
    {
        do {
            return try CertificateReloader(
                files: .init(certificate: certificate, privateKey: key, clientCA: clientCaFile),
                applicationProtocols: ["h2", "http/1.1"], logger: logger)
        } catch {
            logger.critical("cannot load the serving certificate", metadata: ["error": "\(error)"])
            throw ExitCode.failure
        }
    }

    /// For --cert-management=self, the manager of the serving certificate,
    /// after its first reconcile has written the files the listener loads;
    /// until that succeeds (an API server not up yet) the process waits.
    private func managedCertificates(_ client: APIClient?, logger: Logger) async throws
        -> ServingCertificateManager
    {
        guard let client else {
            logger.critical("--cert-management=self keeps its certificates in a Secret: it needs an API server")
            throw ExitCode.failure
        }
        let manager = ServingCertificateManager(
            client: client,
            settings: ServingCertificateSettings(
                namespace: certNamespace ?? ClusterSync.defaultLeaderElectionNamespace(), secretName: certSecretName,
                serviceName: certServiceName, directory: certDir, webhookConfigurationName: webhookConfigurationName,
                validity: certValidity.duration),
            logger: logger)
        var delay = Duration.milliseconds(250)
        while true {
            do {
                try await manager.reconcile()
                return manager
            } catch {
                logger.warning(
                    "no serving certificate yet", metadata: ["error": "\(error)", "retry": "\(delay)"])
                try await Task.sleep(for: delay)
                delay = min(delay * 2, .seconds(10))
            }
        }
    }

    /// Informers and leader election against the configured API server, and
    /// the connection to it; nil when none is configured at all (the webhook
    /// then validates alone and refuses to place roots).
    private func clusterSync(logger: Logger) throws -> (ClusterSync, ClusterConnection, APIClient)? {
        let resolved: ClusterConnection?
        do {
            resolved = try KubeConfig.resolve(kubeconfig: kubeconfig, context: context)
        } catch {
            logger.critical("cannot configure the API client", metadata: ["error": "\(error.message)"])
            throw ExitCode.failure
        }
        guard let connection = resolved else {
            logger.warning(
                "no API server configured (no -kubeconfig, KUBECONFIG, service account or ~/.kube/config); serving without informers"
            )
            return nil
        }
        var options = APIClientOptions()
        options.qps = kubeApiQps
        options.burst = kubeApiBurst
        let client = try APIClient(connection: connection, options: options)
        logger.info("API server", metadata: ["server": "\(connection.server)"])
        var elector: LeaderElector?
        if leaderElect {
            elector = try LeaderElector(
                client: client,
                configuration: LeaderElectionConfiguration(
                    namespace: leaderElectionNamespace ?? ClusterSync.defaultLeaderElectionNamespace(),
                    name: leaderElectionId, identity: LeaderElectionConfiguration.defaultIdentity()),
                logger: logger)
        }
        return (ClusterSync(client: client, elector: elector, logger: logger), connection, client)
    }

    /// The HTTP/2 gRPC listener of --envoyxds, and its certificate watch when it has TLS.
    private func grpcListener(
        services grpcServices: [any GRPCService],
        limits: ConnectionLimits,
        logger: Logger
    ) throws -> [any Service] {
        var services: [any Service] = []
        var tls: (@Sendable () -> TLSContext)?
        if let certificate = envoyxdsTlsCertFile, let key = envoyxdsTlsPrivateKeyFile {
            let reloader: CertificateReloader
            do {
                reloader = try CertificateReloader(
                    files: .init(certificate: certificate, privateKey: key, clientCA: envoyxdsClientCaFile),
                    applicationProtocols: ["h2"], logger: logger)
            } catch {
                logger.critical("cannot load the gRPC listener's certificate", metadata: ["error": "\(error)"])
                throw ExitCode.failure
            }
            tls = { reloader.current }
            services.append(CertificateWatch(reloader: reloader, pollInterval: certificatePollInterval.duration))
        }
        let grpc = GRPCServer(services: grpcServices, logger: logger)
        let configuration = ServerConfiguration(
            name: "grpc",
            address: BindAddress(host: envoyxdsBindAddress, port: envoyxdsPort),
            protocols: .http2,
            tls: tls,
            limits: limits,
            shutdownGracePeriod: shutdownGracePeriod.duration)
        // When the listener drains, its connections get GOAWAY and the
        // streaming calls on them end at once with UNAVAILABLE: an ADS stream
        // never ends by itself, and Envoy is to reconnect to another replica
        // now, not after the grace period.
        services.append(
            HTTPServer(
                configuration: configuration, router: grpc.router, logger: logger,
                onDrain: { grpc.beginShutdown() }))
        return services
    }

    private func listener(
        _ name: String,
        _ address: BindAddress,
        _ routes: Router,
        _ limits: ConnectionLimits,
        _ logger: Logger
    ) -> HTTPServer {
        HTTPServer(
            configuration: ServerConfiguration(
                name: name, address: address, limits: limits, shutdownGracePeriod: shutdownGracePeriod.duration),
            router: routes,
            logger: logger)
    }
}

/// How the webhook's serving certificate is had.
enum CertManagement: String, ExpressibleByArgument, CaseIterable, Sendable {
    case none, `self`
}

/// --cert-management=self: renews the pair when due until shutdown, and has
/// the listener load each new one at once.
struct ManagedCertificates: Service {
    let manager: ServingCertificateManager
    let reloader: CertificateReloader

    func run() async {
        await cancelWhenGracefulShutdown {
            await manager.run { _ = reloader.reloadIfChanged() }
        }
    }
}

/// Keeps the serving certificate current until shutdown.
struct CertificateWatch: Service {
    let reloader: CertificateReloader
    let pollInterval: Duration

    func run() async {
        await cancelWhenGracefulShutdown {
            await reloader.run(pollInterval: pollInterval)
        }
    }
}

/// Runs an action once the process is first ready; a failed action is
/// logged and the process goes on serving.
struct WhenReady: Service {
    let health: HealthChecks
    let action: @Sendable () async throws -> Void
    let logger: Logger

    func run() async throws {
        await cancelWhenGracefulShutdown {
            do {
                try await health.waitUntilReady()
                try await action()
            } catch is CancellationError {
                return
            } catch {
                logger.error("after becoming ready", metadata: ["error": "\(error)"])
            }
            try? await gracefulShutdown()
        }
    }
}

/// Reports SERVING on the gRPC health service once the process is ready,
/// and NOT_SERVING as soon as shutdown begins.
struct ServingStatusLifecycle: Service {
    let registry: HealthStatusRegistry
    let health: HealthChecks

    func run() async throws {
        await cancelWhenGracefulShutdown {
            // Shutdown before the process was ever ready: never SERVING.
            guard (try? await health.waitUntilReady()) != nil else { return }
            registry.set("", .serving)
            try? await gracefulShutdown()
        }
        registry.shutDown()
    }
}
