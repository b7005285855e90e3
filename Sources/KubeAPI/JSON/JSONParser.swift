extension JSON {
    /// Parses one JSON value from UTF-8 bytes, with nothing but whitespace
    /// around it.
    public init(parsing bytes: [UInt8], limits: JSONLimits = JSONLimits()) throws(JSONParseError) {
        guard bytes.count <= limits.maxBytes else {
            throw JSONParseError(offset: limits.maxBytes, "input larger than \(limits.maxBytes) bytes")
        }
        var parser = JSONParser(bytes: bytes, maxDepth: limits.maxDepth)
        self = try parser.parseDocument()
    }

    /// Parses bytes from any collection, such as a NIO `ByteBuffer`'s
    /// `readableBytesView`: one copy into an array (a memcpy for contiguous
    /// storage), never a String of the input.
    public init(parsing bytes: some Collection<UInt8>, limits: JSONLimits = JSONLimits()) throws(JSONParseError) {
        try self.init(parsing: Array(bytes), limits: limits)
    }

    /// Parses JSON text.
    public init(parsing text: String, limits: JSONLimits = JSONLimits()) throws(JSONParseError) {
        try self.init(parsing: Array(text.utf8), limits: limits)
    }
}

/// A recursive-descent parser over bytes: no intermediate String of the
/// input, one pass, strings decoded straight from their bytes.
struct JSONParser {
    private let bytes: [UInt8]
    private let maxDepth: Int
    private var position = 0
    private var depth = 0
    /// Members of the objects and elements of the arrays being parsed, for
    /// all open levels at once; each finished container moves its own into
    /// an exactly sized array. Saves growing many small arrays one append at
    /// a time.
    private var memberStack: [JSONObject.Member] = []
    private var valueStack: [JSON] = []

    init(bytes: [UInt8], maxDepth: Int) {
        self.bytes = bytes
        self.maxDepth = maxDepth
    }

    mutating func parseDocument() throws(JSONParseError) -> JSON {
        let value = try parseValue()
        skipWhitespace()
        guard position == bytes.count else { throw error("unexpected data after the value") }
        return value
    }

    private func error(_ message: String, at offset: Int? = nil) -> JSONParseError {
        JSONParseError(offset: offset ?? position, message)
    }

    @inline(__always)
    private mutating func skipWhitespace() {
        while position < bytes.count {
            switch bytes[position] {
            case 0x20, 0x0A, 0x0D, 0x09: position += 1
            default: return
            }
        }
    }

    private mutating func parseValue() throws(JSONParseError) -> JSON {
        skipWhitespace()
        guard position < bytes.count else { throw error("expected a value, found the end of the input") }
        switch bytes[position] {
        case UInt8(ascii: "{"): return try parseObject()
        case UInt8(ascii: "["): return try parseArray()
        case UInt8(ascii: "\""): return .string(try parseString())
        case UInt8(ascii: "t"): return try parseLiteral("true", .bool(true))
        case UInt8(ascii: "f"): return try parseLiteral("false", .bool(false))
        case UInt8(ascii: "n"): return try parseLiteral("null", .null)
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): return try parseNumber()
        default: throw error("expected a value")
        }
    }

    private mutating func parseLiteral(_ word: StaticString, _ value: JSON) throws(JSONParseError) -> JSON {
        let count = word.utf8CodeUnitCount
        guard position + count <= bytes.count else { throw error("expected \(word)") }
        var matches = true
        word.withUTF8Buffer { expected in
            for index in 0..<count where bytes[position + index] != expected[index] { matches = false }
        }
        guard matches else { throw error("expected \(word)") }
        position += count
        return value
    }

    private mutating func enter() throws(JSONParseError) {
        depth += 1
        guard depth <= maxDepth else { throw error("nesting deeper than \(maxDepth) levels") }
    }

    private mutating func parseObject() throws(JSONParseError) -> JSON {
        try enter()
        position += 1  // {
        let base = memberStack.count
        var seen: [String: Int]?  // only for large objects, where scanning for duplicates would be quadratic
        skipWhitespace()
        if position < bytes.count, bytes[position] == UInt8(ascii: "}") {
            position += 1
            depth -= 1
            return .object(JSONObject())
        }
        while true {
            skipWhitespace()
            guard position < bytes.count, bytes[position] == UInt8(ascii: "\"") else {
                throw error("expected a string key")
            }
            let key = try parseString()
            skipWhitespace()
            guard position < bytes.count, bytes[position] == UInt8(ascii: ":") else {
                throw error("expected ':' after an object key")
            }
            position += 1
            let value = try parseValue()
            // A repeated key keeps its first position and its last value.
            if memberStack.count - base >= 16, seen == nil {
                seen = Dictionary(
                    (base..<memberStack.count).map { (memberStack[$0].key, $0) },
                    uniquingKeysWith: { first, _ in first })
            }
            if let existing = seen.map({ $0[key] }) ?? memberStack[base...].firstIndex(where: { $0.key == key }) {
                memberStack[existing].value = value
            } else {
                seen?[key] = memberStack.count
                memberStack.append(JSONObject.Member(key: key, value: value))
            }
            skipWhitespace()
            guard position < bytes.count else { throw error("expected ',' or '}' in an object") }
            switch bytes[position] {
            case UInt8(ascii: ","):
                position += 1
            case UInt8(ascii: "}"):
                position += 1
                depth -= 1
                return .object(JSONObject(uncheckedMembers: Self.takeTop(memberStack.count - base, of: &memberStack)))
            default:
                throw error("expected ',' or '}' in an object")
            }
        }
    }

    private mutating func parseArray() throws(JSONParseError) -> JSON {
        try enter()
        position += 1  // [
        skipWhitespace()
        if position < bytes.count, bytes[position] == UInt8(ascii: "]") {
            position += 1
            depth -= 1
            return .array([])
        }
        let base = valueStack.count
        while true {
            let element = try parseValue()
            valueStack.append(element)
            skipWhitespace()
            guard position < bytes.count else { throw error("expected ',' or ']' in an array") }
            switch bytes[position] {
            case UInt8(ascii: ","):
                position += 1
            case UInt8(ascii: "]"):
                position += 1
                depth -= 1
                return .array(Self.takeTop(valueStack.count - base, of: &valueStack))
            default:
                throw error("expected ',' or ']' in an array")
            }
        }
    }

    /// The top `count` elements of `stack`, in order, in an array of their
    /// own. Popping moves each element out, where copying a slice and
    /// removing it would retain and release every key and value once.
    private static func takeTop<Element>(_ count: Int, of stack: inout [Element]) -> [Element] {
        var taken: [Element] = []
        taken.reserveCapacity(count)
        for _ in 0..<count { taken.append(stack.removeLast()) }
        taken.reverse()
        return taken
    }

    private mutating func parseString() throws(JSONParseError) -> String {
        let opening = position
        position += 1  // "
        let start = position
        // Fast path: no escapes, which is nearly every Kubernetes string,
        // and usually ASCII, which needs no UTF-8 validation.
        var highBits: UInt8 = 0
        while position < bytes.count {
            let byte = bytes[position]
            highBits |= byte
            if byte == UInt8(ascii: "\"") {
                let slice = bytes[start..<position]
                let text = highBits < 0x80 ? String(decoding: slice, as: UTF8.self) : try decodeUTF8(slice, at: start)
                position += 1
                return text
            }
            if byte == UInt8(ascii: "\\") { break }
            if byte < 0x20 { throw error("control character in a string") }
            position += 1
        }
        guard position < bytes.count else { throw error("unterminated string", at: opening) }
        // With escapes: the runs between them are copied whole, not byte by
        // byte (a `last-applied-configuration` annotation is kilobytes of
        // `\"`). What an escape decodes to is valid UTF-8 by construction,
        // so only raw bytes at or above 0x80 call for validation.
        var decoded: [UInt8] = []
        var run = start
        while position < bytes.count {
            let byte = bytes[position]
            switch byte {
            case UInt8(ascii: "\""):
                decoded.append(contentsOf: bytes[run..<position])
                let text =
                    highBits < 0x80 ? String(decoding: decoded, as: UTF8.self) : try decodeUTF8(decoded[...], at: start)
                position += 1
                return text
            case UInt8(ascii: "\\"):
                decoded.append(contentsOf: bytes[run..<position])
                try parseEscape(into: &decoded)
                run = position
            case 0..<0x20:
                throw error("control character in a string")
            default:
                highBits |= byte
                position += 1
            }
        }
        throw error("unterminated string", at: opening)
    }

    private func decodeUTF8(_ slice: ArraySlice<UInt8>, at offset: Int) throws(JSONParseError) -> String {
        guard UTF8Validation.isValid(slice) else { throw error("invalid UTF-8 in a string", at: offset) }
        return String(decoding: slice, as: UTF8.self)
    }

    private mutating func parseEscape(into decoded: inout [UInt8]) throws(JSONParseError) {
        let escape = position
        position += 1
        guard position < bytes.count else { throw error("unterminated escape", at: escape) }
        let letter = bytes[position]
        position += 1
        switch letter {
        case UInt8(ascii: "\""): decoded.append(UInt8(ascii: "\""))
        case UInt8(ascii: "\\"): decoded.append(UInt8(ascii: "\\"))
        case UInt8(ascii: "/"): decoded.append(UInt8(ascii: "/"))
        case UInt8(ascii: "b"): decoded.append(0x08)
        case UInt8(ascii: "f"): decoded.append(0x0C)
        case UInt8(ascii: "n"): decoded.append(0x0A)
        case UInt8(ascii: "r"): decoded.append(0x0D)
        case UInt8(ascii: "t"): decoded.append(0x09)
        case UInt8(ascii: "u"):
            var scalar = try parseHex4(escapeAt: escape)
            if (0xD800...0xDBFF).contains(scalar) {
                guard position + 1 < bytes.count, bytes[position] == UInt8(ascii: "\\"),
                    bytes[position + 1] == UInt8(ascii: "u")
                else { throw error("unpaired surrogate \\u\(hex(scalar))", at: escape) }
                position += 2
                let low = try parseHex4(escapeAt: escape)
                guard (0xDC00...0xDFFF).contains(low) else {
                    throw error("unpaired surrogate \\u\(hex(scalar))", at: escape)
                }
                scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
            } else if (0xDC00...0xDFFF).contains(scalar) {
                throw error("unpaired surrogate \\u\(hex(scalar))", at: escape)
            }
            decoded.append(contentsOf: String(Character(Unicode.Scalar(scalar)!)).utf8)
        default:
            throw error("invalid escape", at: escape)
        }
    }

    private func hex(_ value: UInt32) -> String {
        value.zeroPadded(width: 4, radix: 16, uppercase: true)
    }

    private mutating func parseHex4(escapeAt escape: Int) throws(JSONParseError) -> UInt32 {
        guard position + 4 <= bytes.count else { throw error("incomplete \\u escape", at: escape) }
        var value: UInt32 = 0
        for _ in 0..<4 {
            let byte = bytes[position]
            let digit: UInt8
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = byte - UInt8(ascii: "0")
            case UInt8(ascii: "a")...UInt8(ascii: "f"): digit = byte - UInt8(ascii: "a") + 10
            case UInt8(ascii: "A")...UInt8(ascii: "F"): digit = byte - UInt8(ascii: "A") + 10
            default: throw error("invalid hex digit in \\u escape")
            }
            value = value << 4 | UInt32(digit)
            position += 1
        }
        return value
    }

    private mutating func parseNumber() throws(JSONParseError) -> JSON {
        let start = position
        let negative = bytes[position] == UInt8(ascii: "-")
        if negative { position += 1 }
        guard position < bytes.count, isDigit(bytes[position]) else { throw error("expected a digit") }
        var isInteger = true
        if bytes[position] == UInt8(ascii: "0") {
            position += 1
            if position < bytes.count, isDigit(bytes[position]) { throw error("leading zero in a number") }
        } else {
            skipDigits()
        }
        if position < bytes.count, bytes[position] == UInt8(ascii: ".") {
            isInteger = false
            position += 1
            guard position < bytes.count, isDigit(bytes[position]) else { throw error("expected a digit after '.'") }
            skipDigits()
        }
        if position < bytes.count, bytes[position] == UInt8(ascii: "e") || bytes[position] == UInt8(ascii: "E") {
            isInteger = false
            position += 1
            if position < bytes.count, bytes[position] == UInt8(ascii: "+") || bytes[position] == UInt8(ascii: "-") {
                position += 1
            }
            guard position < bytes.count, isDigit(bytes[position]) else {
                throw error("expected a digit in the exponent")
            }
            skipDigits()
        }
        let digits = bytes[start..<position]
        // "-0" is kept as written: as an Int64 it would print as "0".
        if isInteger, !(negative && digits.count == 2 && digits.last == UInt8(ascii: "0")),
            let value = Self.int64(digits, negative: negative)
        {
            return .integer(value)
        }
        let literal = String(decoding: digits, as: UTF8.self)
        // Every Kubernetes client reads a number that is not an integer as
        // a float64: one outside its range (`1e999999`) could be stored but
        // never read back, and would break every list that includes it.
        guard Double(literal)?.isFinite == true else {
            throw error("number \(literal.prefix(40)) is outside the range of a 64-bit float", at: start)
        }
        return .number(JSONNumber(unchecked: literal))
    }

    @inline(__always)
    private func isDigit(_ byte: UInt8) -> Bool {
        byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9")
    }

    @inline(__always)
    private mutating func skipDigits() {
        while position < bytes.count, isDigit(bytes[position]) { position += 1 }
    }

    /// The value of an integer literal, or nil when it does not fit Int64.
    private static func int64(_ digits: ArraySlice<UInt8>, negative: Bool) -> Int64? {
        var value: Int64 = 0
        for byte in digits.dropFirst(negative ? 1 : 0) {
            let digit = Int64(byte - UInt8(ascii: "0"))
            let (shifted, overflow1) = value.multipliedReportingOverflow(by: 10)
            let (next, overflow2) =
                negative ? shifted.subtractingReportingOverflow(digit) : shifted.addingReportingOverflow(digit)
            if overflow1 || overflow2 { return nil }
            value = next
        }
        return value
    }
}
