import Foundation
import KubeAPI

#if canImport(Glibc)
    import Glibc
#endif

/// Durable storage for the development API server: an append-only log of
/// JSON lines, each write fsync'd before it is acknowledged (in batches, by
/// `GroupCommitWriter`), compacted into
/// one line per live object each time the server starts.
///
/// Chosen over SQLite because every write is already a whole JSON object
/// keyed by resource and name and read back only at start: a log is the
/// simplest thing that cannot lose an acknowledged write. A crash can tear
/// only the last line, which was never acknowledged, and is skipped.
final class ObjectLog: Sendable {
    private let url: URL
    private let writer: GroupCommitWriter

    struct Entry {
        var revision: UInt64
        var resource: String
        var key: String
        /// Nil for a deletion.
        var object: JSON?
    }

    /// Opens (creating) the log in `directory`, returns the live objects it
    /// holds, and rewrites it compacted.
    init(directory: URL) throws {
        url = directory.appendingPathComponent("objects.log")
        let fileManager = FileManager.default
        try fileManager.createDirectory(at: directory, withIntermediateDirectories: true)
        let existing = (try? Data(contentsOf: url)) ?? Data()
        let (lines, revision) = Self.liveLines(existing)
        var live: [Entry] = []
        // Compact: the live objects' lines as they were, written to a new
        // file and renamed over the old.
        let compacted = url.appendingPathExtension("compacting")
        var snapshot = Data()
        for line in lines {
            guard let json = try? JSON(parsing: Array(line)), let entry = Self.entry(json), entry.object != nil
            else { continue }
            live.append(entry)
            snapshot.append(line)
            snapshot.append(UInt8(ascii: "\n"))
        }
        if revision > (live.last?.revision ?? 0) {
            // Keep the revision counter moving forward past the deletions
            // that compaction drops.
            snapshot.append(contentsOf: Self.line(Entry(revision: revision, resource: "", key: "", object: nil)))
        }
        _ = fileManager.createFile(atPath: compacted.path, contents: snapshot)
        let compactedHandle = try FileHandle(forWritingTo: compacted)
        try compactedHandle.synchronize()
        try compactedHandle.close()
        // rename(2) replaces the old log atomically; Foundation's replaceItemAt
        // does not do that on Linux. This is the file's one libc call.
        guard rename(compacted.path, url.path) == 0 else {
            throw CocoaError(.fileWriteUnknown, userInfo: [NSFilePathErrorKey: url.path])
        }
        let handle = try FileHandle(forWritingTo: url)
        try handle.seekToEnd()
        writer = GroupCommitWriter(handle: handle)
        loaded = live
        lastRevision = revision
    }

    /// The last line of each live object, oldest first, and the highest
    /// revision in the log, reading only the head of each line: which
    /// object it writes and at what revision. Only the lines that survive
    /// are parsed whole, so a log of many versions of a few large objects
    /// (600 updates of a 100 KB annotation) loads in the time of its live
    /// data, not of its history. A last line without its newline was torn
    /// by a crash before it was acknowledged, and is dropped.
    private static func liveLines(_ data: Data) -> (lines: [Data], revision: UInt64) {
        var latest: [String: (revision: UInt64, line: Data?)] = [:]
        var revision: UInt64 = 0
        var start = data.startIndex
        while let end = data[start...].firstIndex(of: UInt8(ascii: "\n")) {
            let line = data[start..<end]
            start = end + 1
            guard let head = head(of: line) else { continue }
            revision = max(revision, head.revision)
            let key = head.resource + "\u{0}" + head.key
            if let known = latest[key], known.revision > head.revision { continue }
            latest[key] = (head.revision, head.isDeletion ? nil : line)
        }
        let live = latest.values.compactMap { entry in entry.line.map { (entry.revision, $0) } }
        return (live.sorted { $0.0 < $1.0 }.map(\.1), revision)
    }

    /// The revision, resource and key of a log line, read from the part
    /// before `"object"`, which the printer writes last. The marker cannot
    /// occur earlier: a quote inside a JSON string is always escaped.
    private static func head(of line: Data) -> (revision: UInt64, resource: String, key: String, isDeletion: Bool)? {
        let marker = Array(#","object":"#.utf8)
        let bytes = Array(line.prefix(4096))
        var headEnd: Int?
        if bytes.count >= marker.count {
            for index in 0...(bytes.count - marker.count) where bytes[index] == marker[0] {
                if Array(bytes[index..<(index + marker.count)]) == marker {
                    headEnd = index
                    break
                }
            }
        }
        let headBytes = headEnd.map { Array(bytes[..<$0]) + [UInt8(ascii: "}")] } ?? Array(line)
        guard let json = try? JSON(parsing: headBytes), let revision = json["revision"]?.integerValue,
            let resource = json["resource"]?.stringValue, let key = json["key"]?.stringValue
        else { return nil }
        return (UInt64(revision), resource, key, headEnd == nil)
    }

    /// What the log held at start, oldest first.
    let loaded: [Entry]
    let lastRevision: UInt64

    /// Queues one entry for the next batch (call in revision order); wait
    /// for the returned sequence number with `waitUntilDurable`.
    func enqueue(_ entry: Entry) -> UInt64 {
        writer.enqueue(Self.line(entry))
    }

    /// Returns once the entry `sequence` and all before it are on disk.
    func waitUntilDurable(_ sequence: UInt64) async throws {
        try await writer.waitUntilDurable(sequence)
    }

    /// Writes the queued entries now (at start-up, with no one waiting).
    func flushNow() throws {
        try writer.flushNow()
    }

    private static func line(_ entry: Entry) -> [UInt8] {
        var json: JSON = [
            "revision": .integer(Int64(entry.revision)), "resource": .string(entry.resource), "key": .string(entry.key),
        ]
        json["object"] = entry.object
        var bytes = json.bytes
        bytes.append(UInt8(ascii: "\n"))
        return bytes
    }

    private static func entry(_ json: JSON) -> Entry? {
        guard let revision = json["revision"]?.integerValue, let resource = json["resource"]?.stringValue,
            let key = json["key"]?.stringValue
        else { return nil }
        return Entry(revision: UInt64(revision), resource: resource, key: key, object: json["object"])
    }
}
