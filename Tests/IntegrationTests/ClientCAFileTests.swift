import Foundation
import Testing

/// `--client-ca-file` holding something that is not PEM: refused with one
/// clear line at start, and, on a hot reload, ignored while the previous
/// context keeps serving (reload exists to survive bad files).
@Suite("kcp-ingress: a client CA file that is not PEM", .timeLimit(.minutes(3)))
struct ClientCAFileTests {
    static let notPEM = Data("this is not a certificate\n".utf8)

    @Test("at start: the process exits non-zero with one line that names the problem")
    func atStart() async throws {
        let certificates = try await KCPIngressServer.makeCertificates()
        defer { try? FileManager.default.removeItem(at: certificates) }
        let caFile = certificates.appendingPathComponent("client-ca.crt")
        try Self.notPEM.write(to: caFile)
        let process = try ChildProcess(
            KCPIngressServer.binary,
            [
                "-webhook-port", "0", "--webhook-bind-address", "127.0.0.1",
                "--health-probe-bind-address", "127.0.0.1:0", "--metrics-bind-address", "127.0.0.1:0",
                "--tls-cert-file", certificates.appendingPathComponent("tls.crt").path,
                "--tls-private-key-file", certificates.appendingPathComponent("tls.key").path,
                "--client-ca-file", caFile.path,
            ],
            environment: ["KUBECONFIG": "", "KUBERNETES_SERVICE_HOST": "", "HOME": certificates.path])
        defer { process.stop() }
        try await process.waitForLine(onStderr: true) { $0.contains("cannot load the serving certificate") }
        let status = try await process.waitForExit(timeout: .seconds(30))
        #expect(status == 1, "an orderly exit with failure, not a crash")
        #expect(process.stderr.count == 1, "\(process.stderr)")
        #expect(process.stderr.first?.contains("no PEM certificate found in the CA data") == true)
    }

    @Test("on reload: the previous context stays in service and the process keeps serving")
    func onReload() async throws {
        let certificates = try await KCPIngressServer.makeCertificates(client: true)
        let caFile = certificates.appendingPathComponent("client-ca.crt")
        try FileManager.default.copyItem(at: certificates.appendingPathComponent("ca.crt"), to: caFile)
        let server = try await KCPIngressServer(
            certificates: certificates,
            arguments: ["--client-ca-file", caFile.path, "--certificate-poll-interval", "1s"])
        defer { server.stop() }
        let clientCertificate = [
            "--cert", certificates.appendingPathComponent("client.crt").path,
            "--key", certificates.appendingPathComponent("client.key").path,
        ]
        #expect(try await server.curl("/healthz", clientCertificate).code == 200)

        // Written in place, as an operator's editor or a careless copy would.
        try Self.notPEM.write(to: caFile)
        let refused = try await server.process.waitForLine(onStderr: true) {
            $0.contains("serving certificate not reloaded; keeping the previous one")
        }
        #expect(refused.contains("no PEM certificate found in the CA data"))
        #expect(server.process.isRunning)
        #expect(try await server.curl("/healthz", clientCertificate).code == 200, "served with the previous context")
        #expect(try await server.curl("/healthz").code == 0, "which still requires a client certificate")
    }
}
