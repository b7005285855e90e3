import Foundation

/// The real `kcp-ingress` binary, started on free loopback ports with
/// development certificates made for the test.
final class KCPIngressServer: Sendable {
    let process: ChildProcess
    let certificates: URL
    let webhookPort: Int
    let healthPort: Int
    let metricsPort: Int
    /// The h2c gRPC listener's port, when started with `grpc: true`.
    let grpcPort: Int?

    static var binary: String {
        if let path = ProcessInfo.processInfo.environment["KCP_INGRESS_BIN"] { return path }
        // `swift test` runs the test bundle from the build folder that also
        // holds the executable.
        var directory = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
        if directory.lastPathComponent == "MacOS" || directory.lastPathComponent == "Contents" {
            directory = directory.deletingLastPathComponent().deletingLastPathComponent()
        }
        return directory.appendingPathComponent("kcp-ingress").path
    }

    static let repository = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    /// Makes a CA and a serving pair in a new temporary directory.
    static func makeCertificates(client: Bool = false) async throws -> URL {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("kcp-it-\(UUID().uuidString)")
        let script = repository.appendingPathComponent("certs/gen-dev-certs.sh").path
        for kind in client ? ["server", "client"] : ["server"] {
            let result = try await run("/bin/bash", [script, directory.path, kind])
            guard result.status == 0 else { throw TestFailure("gen-dev-certs.sh failed: \(result.stderr)") }
        }
        return directory
    }

    /// - Parameters:
    ///   - certificateFile, keyFile: paths to serve; default: the made pair.
    init(
        certificates: URL? = nil,
        certificateFile: String? = nil,
        keyFile: String? = nil,
        grpc: Bool = false,
        arguments: [String] = []
    ) async throws {
        if let certificates {
            self.certificates = certificates
        } else {
            self.certificates = try await Self.makeCertificates()
        }
        let certificates = self.certificates
        process = try ChildProcess(
            Self.binary,
            [
                "-webhook-port", "0", "--webhook-bind-address", "127.0.0.1",
                "--health-probe-bind-address", "127.0.0.1:0", "--metrics-bind-address", "127.0.0.1:0",
                "--tls-cert-file", certificateFile ?? certificates.appendingPathComponent("tls.crt").path,
                "--tls-private-key-file", keyFile ?? certificates.appendingPathComponent("tls.key").path,
                "--log-format", "json", "--log-level", "debug",
            ] + (grpc ? ["-envoyxds", "-envoyxds-port", "0", "--envoyxds-bind-address", "127.0.0.1"] : []) + arguments,
            // Only an explicit -kubeconfig connects to an API server: not the
            // environment of whoever runs the tests.
            environment: ["KUBECONFIG": "", "KUBERNETES_SERVICE_HOST": "", "HOME": self.certificates.path])
        var ports: [String: Int] = [:]
        for listener in ["webhook", "health", "metrics"] + (grpc ? ["grpc"] : []) {
            let line = try await process.waitForLine(onStderr: true) {
                $0.contains(#""msg":"listening""#) && $0.contains(#""listener":"\#(listener)""#)
            }
            let object = try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: String]
            guard let address = object?["address"], let port = address.split(separator: ":").last.flatMap({ Int($0) })
            else {
                throw TestFailure("no address in \(line)")
            }
            ports[listener] = port
        }
        webhookPort = ports["webhook"]!
        healthPort = ports["health"]!
        metricsPort = ports["metrics"]!
        grpcPort = ports["grpc"]
    }

    var caFile: String { certificates.appendingPathComponent("ca.crt").path }
    var webhookURL: String { "https://localhost:\(webhookPort)" }

    func stop() {
        process.stop()
        try? FileManager.default.removeItem(at: certificates)
    }

    /// `curl` against the webhook listener; returns the HTTP status and body.
    func curl(_ path: String, _ extra: [String] = []) async throws -> (code: Int, body: String) {
        let result = try await run(
            "/usr/bin/curl",
            ["-sS", "--http1.1", "--cacert", caFile, "-o", "-", "-w", "\n%{http_code}", webhookURL + path] + extra)
        let lines = result.stdout.split(separator: "\n", omittingEmptySubsequences: false)
        let code = Int(lines.last ?? "") ?? 0
        // The body's own trailing newline is not part of what a test compares.
        return (code, lines.dropLast().joined(separator: "\n").trimmingCharacters(in: .newlines))
    }

    /// The current value of a metric series, such as
    /// `tls_handshake_failures_total{listener="webhook",reason="unsupported_protocol"}`.
    func metric(_ series: String) async throws -> Double? {
        let result = try await run("/usr/bin/curl", ["-sS", "http://127.0.0.1:\(metricsPort)/metrics"])
        for line in result.stdout.split(separator: "\n") where line.hasPrefix(series + " ") {
            return Double(line.split(separator: " ").last ?? "")
        }
        return nil
    }
}

/// The Python client of `clients/tls_client.py`, for what curl cannot do:
/// hold a connection open, trickle bytes, pipeline, send garbage.
func pythonClient(script: String = "tls_client.py", _ arguments: [String]) throws -> ChildProcess {
    let path = KCPIngressServer.repository.appendingPathComponent("Tests/IntegrationTests/clients/\(script)").path
    return try ChildProcess("/usr/bin/env", ["python3", "-u", path] + arguments)
}
