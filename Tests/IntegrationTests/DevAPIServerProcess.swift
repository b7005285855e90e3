import Foundation

/// `kcp-ingress dev-apiserver --ephemeral` on a free port, with its kubeconfigs.
final class DevAPIServerProcess: Sendable {
    let process: ChildProcess
    let directory: URL
    let url: String
    let persistent: Bool

    /// - Parameters:
    ///   - directory: the data directory; a new temporary one by default.
    ///   - persistent: keep objects, CA and tokens under `directory` (no `--ephemeral`), and leave it on `stop()`.
    ///   - port: 0 picks a free one.
    init(directory: URL? = nil, persistent: Bool = false, port: Int = 0, arguments: [String] = []) async throws {
        self.directory =
            directory ?? FileManager.default.temporaryDirectory.appendingPathComponent("kcp-dev-\(UUID().uuidString)")
        self.persistent = persistent
        process = try ChildProcess(
            KCPIngressServer.binary,
            ["dev-apiserver", "--data-dir", self.directory.path, "--secure-port", "\(port)"]
                + (persistent ? [] : ["--ephemeral"]) + arguments)
        let line = try await process.waitForLine { $0.hasPrefix("serving on ") }
        url = String(line.dropFirst("serving on ".count).split(separator: ";")[0])
    }

    var port: Int { Int(url.split(separator: ":").last ?? "") ?? 0 }

    var adminKubeconfig: String { directory.appendingPathComponent("admin.kubeconfig").path }
    var controllerKubeconfig: String { directory.appendingPathComponent("controller.kubeconfig").path }

    /// Runs kubectl against this server as the admin.
    func kubectl(_ arguments: [String], stdin: String? = nil) async throws -> (
        status: Int32, stdout: String, stderr: String
    ) {
        try await run(
            tool("kubectl"), ["--kubeconfig", adminKubeconfig] + arguments, stdin: stdin, timeout: .seconds(30))
    }

    func stop() {
        process.stop()
        if !persistent { try? FileManager.default.removeItem(at: directory) }
    }
}
