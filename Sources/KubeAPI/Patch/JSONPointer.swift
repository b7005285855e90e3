/// An RFC 6901 JSON Pointer, such as `/metadata/labels/kcp.dev~1cluster`.
public struct JSONPointer: Hashable, Sendable, CustomStringConvertible {
    /// The unescaped reference tokens; empty for the whole document.
    public var tokens: [String]

    public init(tokens: [String]) {
        self.tokens = tokens
    }

    /// Parses the pointer syntax: `""` or `/`-separated tokens with `~0` for
    /// `~` and `~1` for `/`.
    public init(_ text: String) throws(PatchError) {
        guard !text.isEmpty else {
            tokens = []
            return
        }
        guard text.hasPrefix("/") else { throw PatchError("JSON pointer \"\(text)\" must start with '/'") }
        var tokens: [String] = []
        for raw in text.dropFirst().split(separator: "/", omittingEmptySubsequences: false) {
            var token = ""
            var iterator = raw.makeIterator()
            while let character = iterator.next() {
                guard character == "~" else {
                    token.append(character)
                    continue
                }
                switch iterator.next() {
                case "0": token.append("~")
                case "1": token.append("/")
                default: throw PatchError("JSON pointer \"\(text)\" has a '~' not followed by 0 or 1")
                }
            }
            tokens.append(token)
        }
        self.tokens = tokens
    }

    public var description: String {
        tokens.map { "/" + $0.replacingOccurrences(of: "~", with: "~0").replacingOccurrences(of: "/", with: "~1") }
            .joined()
    }

    public func appending(_ token: String) -> JSONPointer {
        JSONPointer(tokens: tokens + [token])
    }

    var parent: JSONPointer { JSONPointer(tokens: Array(tokens.dropLast())) }
}

/// A patch that cannot be parsed or applied.
public struct PatchError: Error, Hashable, Sendable, CustomStringConvertible {
    public var message: String
    /// Set when the patch was refused for a bound of `JSONPatchLimits`
    /// rather than for what it says: servers answer "too large", not "invalid".
    public var limitExceeded: Bool
    public init(_ message: String, limitExceeded: Bool = false) {
        self.message = message
        self.limitExceeded = limitExceeded
    }
    public var description: String { message }
}

extension String {
    fileprivate func replacingOccurrences(of target: String, with replacement: String) -> String {
        split(separator: target, omittingEmptySubsequences: false).joined(separator: replacement)
    }
}

extension JSON {
    /// The value at `pointer`, or nil if there is none.
    public func value(at pointer: JSONPointer) -> JSON? {
        var current = self
        for token in pointer.tokens {
            switch current {
            case .object(let object):
                guard let next = object[token] else { return nil }
                current = next
            case .array(let elements):
                guard let index = JSONPointer.arrayIndex(token), elements.indices.contains(index) else { return nil }
                current = elements[index]
            default:
                return nil
            }
        }
        return current
    }

    /// Applies `change` to the value at `tokens`, descending without copying
    /// the untouched parts more than Swift's copy-on-write must.
    mutating func modify(
        _ tokens: ArraySlice<String>,
        path: JSONPointer,
        _ change: (inout JSON) throws(PatchError) -> Void
    ) throws(PatchError) {
        guard let token = tokens.first else {
            try change(&self)
            return
        }
        switch self {
        case .object(var object):
            guard var child = object[token] else { throw PatchError("path \(path) does not exist") }
            self = .null
            object[token] = .null
            defer { self = .object(object) }
            try child.modify(tokens.dropFirst(), path: path, change)
            object[token] = child
        case .array(var elements):
            guard let index = JSONPointer.arrayIndex(token), elements.indices.contains(index) else {
                throw PatchError("path \(path) does not exist")
            }
            self = .null
            var child = elements[index]
            elements[index] = .null
            defer { self = .array(elements) }
            try child.modify(tokens.dropFirst(), path: path, change)
            elements[index] = child
        default:
            throw PatchError("path \(path) does not exist")
        }
    }
}

extension JSONPointer {
    /// A token as an array index: decimal digits without a leading zero.
    static func arrayIndex(_ token: String) -> Int? {
        guard !token.isEmpty, token.allSatisfy(\.isASCII), token.allSatisfy(\.isNumber),
            token == "0" || !token.hasPrefix("0")
        else { return nil }
        return Int(token)
    }
}
