public import KubeAPI

/// Splits a watch response body, which arrives in arbitrary chunks, into
/// whole JSON documents: the API server writes one event after another,
/// newline-separated, but a chunk may end anywhere, even inside a string.
///
/// Scanning tracks only nesting depth and whether it is inside a string, so
/// each byte is looked at once; the parser then reads each whole document.
public struct WatchDecoder: Sendable {
    /// The largest event accepted: a bigger one means a broken stream (the
    /// API server caps objects at about 1.5 MiB).
    public let maximumEventBytes: Int
    private var buffer: [UInt8] = []
    private var scanned = 0
    private var start: Int?
    private var depth = 0
    private var inString = false
    private var escaped = false

    public init(maximumEventBytes: Int = 16 * 1024 * 1024) {
        self.maximumEventBytes = maximumEventBytes
    }

    /// Appends `bytes` and returns the events they complete, in order.
    public mutating func feed(_ bytes: some Collection<UInt8>) throws -> [WatchEvent] {
        buffer.append(contentsOf: bytes)
        var events: [WatchEvent] = []
        var consumed = 0
        while scanned < buffer.count {
            let byte = buffer[scanned]
            defer { scanned += 1 }
            if inString {
                if escaped {
                    escaped = false
                } else if byte == UInt8(ascii: "\\") {
                    escaped = true
                } else if byte == UInt8(ascii: "\"") {
                    inString = false
                }
                continue
            }
            switch byte {
            case UInt8(ascii: "{"), UInt8(ascii: "["):
                if depth == 0 { start = scanned }
                depth += 1
            case UInt8(ascii: "}"), UInt8(ascii: "]"):
                depth -= 1
                guard depth >= 0, let first = start else { throw WatchDecodingError("unbalanced brackets") }
                if depth == 0 {
                    events.append(try Self.event(buffer[first...scanned]))
                    start = nil
                    consumed = scanned + 1
                }
            case UInt8(ascii: "\""):
                guard depth > 0 else { throw WatchDecodingError("a string outside any event") }
                inString = true
            case UInt8(ascii: " "), UInt8(ascii: "\n"), UInt8(ascii: "\r"), UInt8(ascii: "\t"):
                if depth == 0 { consumed = scanned + 1 }
            default:
                guard depth > 0 else { throw WatchDecodingError("unexpected byte \(byte) between events") }
            }
        }
        if consumed > 0 {
            buffer.removeFirst(consumed)
            scanned -= consumed
            start = start.map { $0 - consumed }
        }
        guard buffer.count <= maximumEventBytes else {
            throw WatchDecodingError("an event is larger than \(maximumEventBytes) bytes")
        }
        return events
    }

    /// True when no partial event is pending: the stream may end here.
    public var isAtBoundary: Bool { depth == 0 && !inString }

    private static func event(_ bytes: ArraySlice<UInt8>) throws -> WatchEvent {
        let json: JSON
        do {
            json = try JSON(parsing: bytes)
        } catch {
            throw WatchDecodingError("an event is not JSON: \(error)")
        }
        let event = WatchEvent(json: json)
        guard event.type != nil, event.object?.objectValue != nil else {
            throw WatchDecodingError("an event without type or object")
        }
        return event
    }
}

public struct WatchDecodingError: Error, Hashable, Sendable, CustomStringConvertible {
    public var message: String
    init(_ message: String) { self.message = message }
    public var description: String { "watch stream: \(message)" }
}
