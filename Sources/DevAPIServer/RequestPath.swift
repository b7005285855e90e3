/// A resource path taken apart:
/// `/api/v1/namespaces/NS/services/NAME/status`,
/// `/apis/GROUP/VERSION/ingresses`, `/apis/GROUP/VERSION/watch/namespaces/NS/ingresses`.
struct RequestPath: Equatable {
    var group: String
    var version: String
    var namespace: String?
    var resource: String
    var name: String?
    var subresource: String?
    /// The legacy `/watch/` form.
    var watch: Bool

    /// Nil when the path is not a resource path (discovery paths are handled apart).
    init?(_ path: String) {
        var parts = path.split(separator: "/", omittingEmptySubsequences: true).map(String.init)
        guard let root = parts.first else { return nil }
        parts.removeFirst()
        switch root {
        case "api":
            guard parts.first == "v1" else { return nil }
            group = ""
            version = "v1"
            parts.removeFirst()
        case "apis":
            guard parts.count >= 2 else { return nil }
            group = parts[0]
            version = parts[1]
            parts.removeFirst(2)
        default:
            return nil
        }
        watch = parts.first == "watch"
        if watch { parts.removeFirst() }
        // `namespaces/NS/RESOURCE…` is a namespaced path; `namespaces/NAME` and
        // `namespaces/NAME/status` address the Namespace itself.
        if parts.count >= 3, parts[0] == "namespaces", parts[2] != "status", parts[2] != "finalize" {
            namespace = parts[1]
            parts.removeFirst(2)
        } else {
            namespace = nil
        }
        guard (1...3).contains(parts.count) else { return nil }
        resource = parts[0]
        name = parts.count > 1 ? parts[1] : nil
        subresource = parts.count > 2 ? parts[2] : nil
    }
}

/// Query parameters, percent-decoded.
struct QueryParameters {
    private var values: [String: String] = [:]
    /// The pairs as given, still encoded.
    private(set) var rawPairs: [String] = []

    init(_ query: String?) {
        rawPairs = (query ?? "").split(separator: "&").map(String.init)
        for pair in (query ?? "").split(separator: "&") {
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            let key = Self.decode(String(parts[0]))
            values[key] = parts.count > 1 ? Self.decode(String(parts[1])) : ""
        }
    }

    subscript(_ key: String) -> String? { values[key] }

    func flag(_ key: String) -> Bool { values[key] == "true" || values[key] == "1" }

    private static func decode(_ text: String) -> String {
        var bytes: [UInt8] = []
        var iterator = Array(text.utf8).makeIterator()
        while let byte = iterator.next() {
            if byte == UInt8(ascii: "+") {
                bytes.append(UInt8(ascii: " "))
            } else if byte == UInt8(ascii: "%"), let high = iterator.next(), let low = iterator.next(),
                let value = UInt8(String(decoding: [high, low], as: UTF8.self), radix: 16)
            {
                bytes.append(value)
            } else {
                bytes.append(byte)
            }
        }
        return String(decoding: bytes, as: UTF8.self)
    }
}
