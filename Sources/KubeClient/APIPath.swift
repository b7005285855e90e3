import KubeAPI

/// URL paths and query strings of the Kubernetes REST API.
enum APIPath {
    /// `/api/v1[/namespaces/NS]/RESOURCE` or `/apis/G/V[/namespaces/NS]/RESOURCE`.
    static func collection(_ type: ResourceType, namespace: String?) -> String {
        var path = type.group.isEmpty ? "/api/\(type.version)" : "/apis/\(type.group)/\(type.version)"
        if type.namespaced, let namespace { path += "/namespaces/\(escape(namespace))" }
        return path + "/" + type.resource
    }

    static func item(_ type: ResourceType, namespace: String?, name: String, subresource: String? = nil) -> String {
        var path = collection(type, namespace: namespace) + "/" + escape(name)
        if let subresource { path += "/" + subresource }
        return path
    }

    /// `?k=v&…` with values percent-encoded; empty when there are none.
    static func query(_ items: [(String, String?)]) -> String {
        let present = items.compactMap { key, value in value.map { "\(key)=\(escape($0))" } }
        return present.isEmpty ? "" : "?" + present.joined(separator: "&")
    }

    /// Percent-encodes everything but RFC 3986's unreserved characters.
    static func escape(_ text: String) -> String {
        var out = ""
        out.reserveCapacity(text.utf8.count)
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
                UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "_"),
                UInt8(ascii: "~"):
                out.unicodeScalars.append(Unicode.Scalar(byte))
            default:
                let hex = Array("0123456789ABCDEF".utf8)
                out += "%" + String(decoding: [hex[Int(byte >> 4)], hex[Int(byte & 0xF)]], as: UTF8.self)
            }
        }
        return out
    }
}
