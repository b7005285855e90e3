public import Foundation

/// A real Envoy, started for one test: its own directory for bootstrap and
/// log, its admin listener on a port it picked. Stop it with `stop()` in a
/// `defer`; an Envoy whose object is dropped unstopped is killed.
///
/// ```
/// let envoy = try await EnvoyProcess(bootstrap: .ads(xdsPort: serve.grpcPort!))
/// defer { envoy.stop() }
/// try await envoy.waitFor("the listener is up") { try await envoy.listeners().count == 1 }
/// ```
public final class EnvoyProcess: Sendable {
    /// The bootstrap, the log and the admin address file; removed by `stop()`.
    public let directory: URL
    /// `127.0.0.1:port` of the admin listener.
    public let adminAddress: String
    private let process: Process

    /// `ENVOY_BIN` if set, else `envoy` on the PATH (`make deps` links it).
    public static var binary: String {
        ProcessInfo.processInfo.environment["ENVOY_BIN"] ?? Command.find("envoy")
    }

    /// Starts Envoy and returns once its admin listener answers.
    ///
    /// - Parameters:
    ///   - logLevel: Envoy's `-l`; `debug` shows every xDS request and response.
    ///   - componentLogLevels: Envoy's `--component-log-level`, such as `config:debug`.
    public init(
        bootstrap: EnvoyBootstrap,
        logLevel: String = "info",
        componentLogLevels: String? = nil,
        startTimeout: Duration = .seconds(30)
    ) async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("kcp-envoy-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let bootstrapFile = directory.appendingPathComponent("bootstrap.yaml")
        try Data(bootstrap.text.utf8).write(to: bootstrapFile)
        let addressFile = directory.appendingPathComponent("admin-address")
        let process = Process()
        process.executableURL = URL(fileURLWithPath: Self.binary)
        process.arguments =
            [
                "-c", bootstrapFile.path, "--admin-address-path", addressFile.path,
                "--log-path", Self.logFile(in: directory).path, "-l", logLevel,
                // Envoy flushes its log every 10 s by default: a test reading it,
                // or failing, would see it seconds behind.
                "--file-flush-interval-msec", "50",
                // Hot restart shares memory and a socket named by the base id
                // (0 by default): a second Envoy on the machine would not start.
                // Tests never hot-restart, so several Envoys run at once.
                "--disable-hot-restart",
                // Two cores shared by everything a test runs.
                "--concurrency", "1",
            ] + (componentLogLevels.map { ["--component-log-level", $0] } ?? [])
        process.standardInput = FileHandle.nullDevice
        // What Envoy writes before its log is open (a bad flag) and as it dies.
        let console = try FileHandle(creatingForWriting: directory.appendingPathComponent("console"))
        // Envoy has its own copy once started; Foundation's Process would hold ours forever.
        defer { try? console.close() }
        process.standardOutput = console
        process.standardError = console
        try withSignalsUnblocked { try process.run() }
        do {
            adminAddress = try await Self.waitForAdmin(
                process: process, addressFile: addressFile, directory: directory, timeout: startTimeout)
        } catch {
            Self.terminate(process)
            try? FileManager.default.removeItem(at: directory)
            throw error
        }
        self.directory = directory
        self.process = process
    }

    public var isRunning: Bool { process.isRunning }

    /// Envoy's process id.
    public var pid: Int32 { process.processIdentifier }

    /// Envoy's log file (`--log-path`).
    public var logFile: URL { Self.logFile(in: directory) }

    /// Envoy's whole log so far.
    public func log() -> String {
        (try? String(contentsOf: logFile, encoding: .utf8)) ?? ""
    }

    /// The last `lines` lines of Envoy's log and of what it wrote on its
    /// console, for failure messages.
    public func logTail(lines: Int = 40) -> String {
        Self.logTail(directory: directory, lines: lines)
    }

    /// SIGTERM, then SIGKILL if Envoy is still there after 5 s; then removes
    /// its directory. Synchronous, for `defer`.
    public func stop() {
        Self.terminate(process)
        try? FileManager.default.removeItem(at: directory)
    }

    deinit {
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
    }

    private static func terminate(_ process: Process) {
        guard process.isRunning else { return }
        kill(process.processIdentifier, SIGTERM)
        // Envoy exits within milliseconds of SIGTERM; bounded all the same.
        for _ in 0..<500 where process.isRunning { usleep(10_000) }
        if process.isRunning {
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
        }
    }

    private static func waitForAdmin(
        process: Process, addressFile: URL, directory: URL, timeout: Duration
    ) async throws -> String {
        let deadline = ContinuousClock.now + timeout
        let attempts = Int(timeout / .milliseconds(50)) + 1
        for _ in 0..<attempts where ContinuousClock.now < deadline {
            guard process.isRunning else {
                throw EnvoyTestError(
                    "Envoy exited (\(process.terminationStatus)) before its admin listener answered",
                    log: logTail(directory: directory, lines: 40))
            }
            // Envoy writes the file once the admin listener is bound; asking
            // it something proves it serves.
            if let address = try? String(contentsOf: addressFile, encoding: .utf8), !address.isEmpty,
                let answer = try? await EnvoyAdmin.get(address: address, "/server_info"), answer.status == 200
            {
                return address.trimmingCharacters(in: .whitespacesAndNewlines)
            }
            try await Task.sleep(for: .milliseconds(50))
        }
        throw EnvoyTestError(
            "Envoy's admin listener did not answer within \(timeout)", log: logTail(directory: directory, lines: 40))
    }

    private static func logFile(in directory: URL) -> URL { directory.appendingPathComponent("envoy.log") }

    private static func logTail(directory: URL, lines: Int) -> String {
        ["console", "envoy.log"].map { name in
            let text = (try? String(contentsOf: directory.appendingPathComponent(name), encoding: .utf8)) ?? ""
            return text.split(separator: "\n", omittingEmptySubsequences: false).suffix(lines)
                .joined(separator: "\n")
        }
        .filter { !$0.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty }
        .joined(separator: "\n")
    }
}
