import Foundation
import KubeAPI

#if canImport(Glibc)
    import Glibc
#endif

/// Durable storage for the development API server: an append-only log of
/// JSON lines, each write fsync'd before it is acknowledged, compacted into
/// one line per live object each time the server starts.
///
/// Chosen over SQLite because every write is already a whole JSON object
/// keyed by resource and name and read back only at start: a log is the
/// simplest thing that cannot lose an acknowledged write. A crash can tear
/// only the last line, which was never acknowledged, and is skipped.
final class ObjectLog: @unchecked Sendable {
    // @unchecked Sendable: `handle` is used only from ObjectStore.write,
    // which runs under the store's lock.
    private let url: URL
    private let handle: FileHandle

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
        var live: [String: Entry] = [:]
        var revision: UInt64 = 0
        for line in existing.split(separator: UInt8(ascii: "\n")) {
            guard let json = try? JSON(parsing: Array(line)), let entry = Self.entry(json) else { continue }
            revision = max(revision, entry.revision)
            live[entry.resource + "\u{0}" + entry.key] = entry.object == nil ? nil : entry
        }
        // Compact: the live objects, written to a new file and renamed over the old.
        let compacted = url.appendingPathExtension("compacting")
        var snapshot = Data()
        for entry in live.values.sorted(by: { $0.revision < $1.revision }) {
            snapshot.append(contentsOf: Self.line(entry))
        }
        if live.isEmpty, revision > 0 {
            // Keep the revision counter moving forward even with nothing live.
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
        handle = try FileHandle(forWritingTo: url)
        try handle.seekToEnd()
        loaded = live.values.sorted { $0.revision < $1.revision }
        lastRevision = revision
    }

    /// What the log held at start, oldest first.
    let loaded: [Entry]
    let lastRevision: UInt64

    /// Appends and fsyncs one entry; returns only once it is on disk.
    func append(_ entry: Entry) throws {
        try handle.write(contentsOf: Self.line(entry))
        try handle.synchronize()
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
