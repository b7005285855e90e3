import EnvoyTestSupport
import Foundation
import Synchronization

/// A program started by a test, with its output collected line by line.
final class ChildProcess: Sendable {
    private let process: Process
    private let input: Pipe
    private let stdoutLines = Lines()
    private let stderrLines = Lines()

    init(_ executable: String, _ arguments: [String], environment: [String: String] = [:]) throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
        let input = Pipe()
        let output = Pipe()
        let errors = Pipe()
        process.standardInput = input
        process.standardOutput = output
        process.standardError = errors
        self.process = process
        self.input = input
        Self.collect(output) { [stdoutLines] line in stdoutLines.withLock { $0.append(line) } }
        Self.collect(errors) { [stderrLines] line in stderrLines.withLock { $0.append(line) } }
        try process.run()
    }

    /// Reads a pipe on a thread of its own until end of file. (Foundation's
    /// `readabilityHandler` drops output on Linux when processes exit fast.)
    private static func collect(_ pipe: Pipe, append: @escaping @Sendable (String) -> Void) {
        let handle = pipe.fileHandleForReading
        Thread.detachNewThread {
            blockSignalsOnThisThread()
            var pending = Data()
            while true {
                let chunk = handle.availableData
                if chunk.isEmpty { break }
                pending.append(chunk)
                while let newline = pending.firstIndex(of: UInt8(ascii: "\n")) {
                    append(String(decoding: pending[pending.startIndex..<newline], as: UTF8.self))
                    pending.removeSubrange(pending.startIndex...newline)
                }
            }
            if !pending.isEmpty { append(String(decoding: pending, as: UTF8.self)) }
            // Closed here, not left to the handle's deinit: Foundation's
            // Process keeps its pipes for as long as the test process runs.
            try? handle.close()
        }
    }

    var stdout: [String] { stdoutLines.withLock { $0 } }
    var stderr: [String] { stderrLines.withLock { $0 } }

    final class Lines: Sendable {
        private let lines = Mutex<[String]>([])
        func withLock<T>(_ body: (inout [String]) -> T) -> T { lines.withLock { body(&$0) } }
    }
    var isRunning: Bool { process.isRunning }
    var pid: Int32 { process.processIdentifier }

    func send(_ line: String) {
        try? input.fileHandleForWriting.write(contentsOf: Data((line + "\n").utf8))
    }

    func signal(_ signal: Int32) {
        kill(process.processIdentifier, signal)
    }

    /// Waits until a line of standard output or error satisfies `matches`.
    @discardableResult
    func waitForLine(
        onStderr: Bool = false,
        timeout: Duration = .seconds(20),
        _ matches: (String) -> Bool
    ) async throws -> String {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            if let line = (onStderr ? stderr : stdout).first(where: matches) { return line }
            if !process.isRunning, (onStderr ? stderr : stdout).first(where: matches) == nil {
                try await Task.sleep(for: .milliseconds(100))
                if let line = (onStderr ? stderr : stdout).first(where: matches) { return line }
                throw TestFailure(
                    "\(process.arguments ?? []) exited (\(process.terminationStatus)) before the expected line; stdout: \(stdout.suffix(10)) stderr: \(stderr.suffix(10))"
                )
            }
            try await Task.sleep(for: .milliseconds(20))
        }
        throw TestFailure("timed out waiting for a line; stdout: \(stdout.suffix(10)) stderr: \(stderr.suffix(10))")
    }

    /// Waits for the process to exit and returns its status.
    func waitForExit(timeout: Duration = .seconds(60)) async throws -> Int32 {
        let deadline = ContinuousClock.now + timeout
        while process.isRunning {
            guard ContinuousClock.now < deadline else {
                process.terminate()
                throw TestFailure("process did not exit in time")
            }
            try await Task.sleep(for: .milliseconds(20))
        }
        return process.terminationStatus
    }

    func stop() {
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
        try? input.fileHandleForWriting.close()
    }

    deinit { stop() }
}

struct TestFailure: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}

/// Runs a command to completion and returns its exit status and output.
func run(
    _ executable: String,
    _ arguments: [String],
    stdin: String? = nil,
    timeout: Duration = .seconds(60)
) async throws -> (status: Int32, stdout: String, stderr: String) {
    let child = try ChildProcess(executable, arguments)
    if let stdin { child.send(stdin) }
    try? child.closeInput()
    let status = try await child.waitForExit(timeout: timeout)
    try await Task.sleep(for: .milliseconds(50))  // let the last output arrive
    return (status, child.stdout.joined(separator: "\n"), child.stderr.joined(separator: "\n"))
}

extension ChildProcess {
    func closeInput() throws {
        try input.fileHandleForWriting.close()
    }
}

/// The path of `name` on the PATH (as a shell would find it), so that tests
/// run the tools `make deps` installed wherever they went.
func tool(_ name: String) -> String {
    let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/local/bin:/usr/bin:/bin"
    for directory in path.split(separator: ":") {
        let candidate = "\(directory)/\(name)"
        if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
    }
    return "/usr/bin/\(name)"
}
