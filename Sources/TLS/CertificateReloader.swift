import Foundation
public import Logging
import Synchronization

/// The serving certificate, kept current as its files change on disk.
///
/// Works like controller-runtime's certwatcher: file events trigger a reload
/// at once, and a slow poll catches whatever events miss. A reload reads the
/// certificate, key and client CA as one snapshot and builds a whole new
/// `TLSContext`; if the pair is mismatched, partial or unreadable, the old
/// context stays in service and the reason is logged. New handshakes use
/// `current`; existing connections keep the context they started with.
public final class CertificateReloader: Sendable {
    public struct Files: Hashable, Sendable {
        public var certificate: String
        public var privateKey: String
        /// Set for mutual TLS: clients must present a certificate from here.
        public var clientCA: String?

        public init(certificate: String, privateKey: String, clientCA: String? = nil) {
            self.certificate = certificate
            self.privateKey = privateKey
            self.clientCA = clientCA
        }
    }

    public enum Outcome: Equatable, Sendable {
        case unchanged
        case reloaded(CertificateInfo)
        case failed(TLSError)
    }

    private struct Loaded {
        var context: TLSContext
        var contents: [[UInt8]]
    }

    public let files: Files
    private let applicationProtocols: [String]
    private let logger: Logger
    private let loaded: Mutex<Loaded>

    /// Loads the files once; fails if they do not make a usable pair.
    public init(files: Files, applicationProtocols: [String], logger: Logger) throws(TLSError) {
        self.files = files
        self.applicationProtocols = applicationProtocols
        self.logger = logger
        let contents = try Self.read(files)
        let context = try Self.makeContext(contents, files: files, applicationProtocols: applicationProtocols)
        loaded = Mutex(Loaded(context: context, contents: contents))
    }

    /// The context for the next handshake.
    public var current: TLSContext {
        loaded.withLock { $0.context }
    }

    /// Re-reads the files and swaps the context in if they changed and are good.
    @discardableResult
    public func reloadIfChanged() -> Outcome {
        let outcome: Outcome
        do throws(TLSError) {
            let contents = try Self.read(files)
            if loaded.withLock({ $0.contents == contents }) { return .unchanged }
            let context = try Self.makeContext(contents, files: files, applicationProtocols: applicationProtocols)
            loaded.withLock { $0 = Loaded(context: context, contents: contents) }
            outcome = .reloaded(context.certificate!)
        } catch {
            outcome = .failed(error)
        }
        switch outcome {
        case .reloaded(let info):
            logger.info(
                "serving certificate reloaded",
                metadata: ["serial": "\(info.serialNumber)", "subject": "\(info.subject)"])
        case .failed(let error):
            logger.warning(
                "serving certificate not reloaded; keeping the previous one", metadata: ["error": "\(error)"])
        case .unchanged:
            break
        }
        return outcome
    }

    /// Watches the files until the task is cancelled.
    public func run(pollInterval: Duration = .seconds(10)) async {
        await run(pollInterval: pollInterval, onWatching: { _ in })
    }

    /// The same; `onWatching` is told once the file watch is in place (true)
    /// or could not be set up (false, polling only), so a test changes the
    /// files only once a change will be seen.
    func run(pollInterval: Duration, onWatching: @Sendable (Bool) -> Void) async {
        let directories = Set(
            [files.certificate, files.privateKey, files.clientCA].compactMap { $0 }.flatMap(Self.watchedDirectories))
        let watcher = FileWatcher(directories: directories)
        defer { watcher?.stop() }
        onWatching(watcher != nil)
        await withDiscardingTaskGroup { group in
            if let watcher {
                group.addTask {
                    // The stream ends when this task is cancelled.
                    for await _ in watcher.changes {
                        // Writers touch several files in a row: let them finish.
                        try? await Task.sleep(for: .milliseconds(100))
                        self.reloadIfChanged()
                    }
                }
            }
            group.addTask {
                while (try? await Task.sleep(for: pollInterval)) != nil {
                    self.reloadIfChanged()
                }
            }
        }
    }

    /// A file's directory, and its symlink target's directory if it is one.
    private static func watchedDirectories(_ path: String) -> [String] {
        let url = URL(fileURLWithPath: path)
        return [url.deletingLastPathComponent().path, url.resolvingSymlinksInPath().deletingLastPathComponent().path]
    }

    private static func read(_ files: Files) throws(TLSError) -> [[UInt8]] {
        var contents: [[UInt8]] = []
        for path in [files.certificate, files.privateKey, files.clientCA].compactMap({ $0 }) {
            guard let data = FileManager.default.contents(atPath: path) else {
                throw TLSError(.fileUnreadable, "\(path) cannot be read")
            }
            contents.append(Array(data))
        }
        return contents
    }

    private static func makeContext(
        _ contents: [[UInt8]],
        files: Files,
        applicationProtocols: [String]
    ) throws(TLSError) -> TLSContext {
        try TLSContext(
            configuration: .server(
                identity: CertificateKeyPair(certificateChainPEM: contents[0], privateKeyPEM: contents[1]),
                clientCA: contents.count > 2 ? .pem(contents[2]) : nil,
                applicationProtocols: applicationProtocols))
    }
}
