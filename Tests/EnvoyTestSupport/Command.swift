import Foundation

/// A program run to completion.
public struct CommandResult: Sendable {
    public var status: Int32
    public var stdout: String
    public var stderr: String
}

/// Runs the real programs the tests drive (curl, Envoy).
public enum Command {
    /// Runs `executable` with `arguments` and waits for it to exit; kills it
    /// and throws once `timeout` has passed.
    ///
    /// Output goes to files, not pipes: a pipe nobody reads yet fills at
    /// 64 KiB and stops a program that writes more (a config dump does).
    public static func run(
        _ executable: String,
        _ arguments: [String],
        timeout: Duration = .seconds(30)
    ) async throws -> CommandResult {
        let files = FileManager.default.temporaryDirectory.appendingPathComponent("kcp-command-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: files, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: files) }
        let stdout = files.appendingPathComponent("stdout")
        let stderr = files.appendingPathComponent("stderr")

        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        process.standardInput = FileHandle.nullDevice
        let output = try FileHandle(creatingForWriting: stdout)
        let errors = try FileHandle(creatingForWriting: stderr)
        // Ours are closed when done (the child has its own copies): left to
        // the handles' deinit they stay open, as Foundation's Process never
        // lets go of them.
        defer {
            try? output.close()
            try? errors.close()
        }
        process.standardOutput = output
        process.standardError = errors
        // Set before the start, so that an exit however early is seen.
        let (exits, exited) = AsyncStream.makeStream(of: Int32.self, bufferingPolicy: .bufferingNewest(1))
        process.terminationHandler = { process in
            exited.yield(process.terminationStatus)
            exited.finish()
        }
        try process.run()
        let pid = process.processIdentifier
        let watchdog = Task {
            try await Task.sleep(for: timeout)
            kill(pid, SIGKILL)
            return true
        }
        var statuses = exits.makeAsyncIterator()
        let status = await statuses.next() ?? -1
        watchdog.cancel()
        if (try? await watchdog.value) == true {
            throw EnvoyTestError("\(executable) \(arguments.joined(separator: " ")) did not finish within \(timeout)")
        }
        return CommandResult(
            status: status,
            stdout: (try? String(contentsOf: stdout, encoding: .utf8)) ?? "",
            stderr: (try? String(contentsOf: stderr, encoding: .utf8)) ?? "")
    }

    /// The path of `name` on the PATH, as a shell finds it, so that tests run
    /// the tools `make deps` installed wherever they went.
    public static func find(_ name: String) -> String {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/local/bin:/usr/bin:/bin"
        for directory in path.split(separator: ":") {
            let candidate = "\(directory)/\(name)"
            if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
        }
        return "/usr/bin/\(name)"
    }
}

extension FileHandle {
    /// A new empty file at `url`, open for writing.
    convenience init(creatingForWriting url: URL) throws {
        guard FileManager.default.createFile(atPath: url.path, contents: nil) else {
            throw EnvoyTestError("cannot create \(url.path)")
        }
        try self.init(forWritingTo: url)
    }
}
