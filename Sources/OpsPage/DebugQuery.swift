/// The page's query string: `namespace`, `kind`, `cluster`, `notReady`
/// and `page`, percent-decoded; unknown keys are ignored.
public struct DebugQuery: Sendable, Equatable {
    public var filter = DebugState.Filter()
    public var page = 1

    public init(_ query: String?) {
        for pair in (query ?? "").split(separator: "&") {
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            let key = Self.percentDecoded(parts[0])
            let value = parts.count > 1 ? Self.percentDecoded(parts[1]) : ""
            switch key {
            case "namespace": filter.namespace = value.isEmpty ? nil : value
            case "kind": filter.kind = value.isEmpty ? nil : value.lowercased()
            case "cluster": filter.cluster = value.isEmpty ? nil : value
            case "notReady": filter.notReady = value != "0" && value != "false"
            case "page": page = Int(value) ?? 1
            default: continue
            }
        }
    }

    /// `+` is a space (form encoding); a malformed escape is kept as written.
    static func percentDecoded(_ text: Substring) -> String {
        var bytes: [UInt8] = []
        var input = Array(text.utf8)[...]
        while let byte = input.popFirst() {
            if byte == UInt8(ascii: "+") {
                bytes.append(UInt8(ascii: " "))
            } else if byte == UInt8(ascii: "%"), input.count >= 2,
                let value = UInt8(String(decoding: input.prefix(2), as: UTF8.self), radix: 16)
            {
                bytes.append(value)
                input = input.dropFirst(2)
            } else {
                bytes.append(byte)
            }
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    /// Everything but unreserved characters (RFC 3986) escaped.
    static func percentEncoded(_ text: String) -> String {
        var encoded = ""
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
                UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "_"),
                UInt8(ascii: "~"):
                encoded.unicodeScalars.append(Unicode.Scalar(byte))
            default:
                encoded += "%" + (byte < 16 ? "0" : "") + String(byte, radix: 16, uppercase: true)
            }
        }
        return encoded
    }
}
