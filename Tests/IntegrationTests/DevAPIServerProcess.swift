import Foundation

/// `kcp-ingress dev-apiserver --ephemeral` on a free port, with its kubeconfigs.
final class DevAPIServerProcess: Sendable {
    let process: ChildProcess
    let directory: URL
    let url: String

    init() async throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("kcp-dev-\(UUID().uuidString)")
        process = try ChildProcess(
            KCPIngressServer.binary,
            ["dev-apiserver", "--data-dir", directory.path, "--secure-port", "0", "--ephemeral"])
        let line = try await process.waitForLine { $0.hasPrefix("serving on ") }
        url = String(line.dropFirst("serving on ".count).split(separator: ";")[0])
    }

    var adminKubeconfig: String { directory.appendingPathComponent("admin.kubeconfig").path }
    var controllerKubeconfig: String { directory.appendingPathComponent("controller.kubeconfig").path }

    /// Runs kubectl against this server as the admin.
    func kubectl(_ arguments: [String], stdin: String? = nil) async throws -> (
        status: Int32, stdout: String, stderr: String
    ) {
        try await run(
            "/usr/bin/kubectl", ["--kubeconfig", adminKubeconfig] + arguments, stdin: stdin, timeout: .seconds(30))
    }

    func stop() {
        process.stop()
        try? FileManager.default.removeItem(at: directory)
    }
}
