/// A JSON value that loses nothing: every field, the order of object keys,
/// integers exact to 64 bits, and any other number exactly as it was written.
///
/// Kubernetes objects are read, changed in a few places and written back;
/// a field this project does not model must come back byte for byte.
public enum JSON: Sendable {
    case null
    case bool(Bool)
    /// A number written without fraction or exponent that fits in Int64.
    case integer(Int64)
    /// Any other number, kept as written (`0.5`, `1e3`, `18446744073709551616`).
    case number(JSONNumber)
    case string(String)
    case array([JSON])
    case object(JSONObject)
}

/// A number that is not an Int64, kept as its literal text.
public struct JSONNumber: Hashable, Sendable, CustomStringConvertible {
    /// The number as written in the input; valid JSON number syntax.
    public let literal: String

    /// - Precondition: `literal` is a valid JSON number.
    init(unchecked literal: String) {
        self.literal = literal
    }

    /// Makes a number from a Double; nil for NaN and infinities, which JSON
    /// cannot represent.
    public init?(_ value: Double) {
        guard value.isFinite else { return nil }
        literal = "\(value)"
    }

    public var doubleValue: Double { Double(literal) ?? .nan }
    public var description: String { literal }
}

extension JSON {
    public var isNull: Bool {
        if case .null = self { return true }
        return false
    }

    public var boolValue: Bool? {
        if case .bool(let value) = self { return value }
        return nil
    }

    public var stringValue: String? {
        if case .string(let value) = self { return value }
        return nil
    }

    public var integerValue: Int64? {
        if case .integer(let value) = self { return value }
        return nil
    }

    /// Any number as a Double (integers included).
    public var doubleValue: Double? {
        switch self {
        case .integer(let value): Double(value)
        case .number(let value): value.doubleValue
        default: nil
        }
    }

    public var arrayValue: [JSON]? {
        if case .array(let value) = self { return value }
        return nil
    }

    public var objectValue: JSONObject? {
        if case .object(let value) = self { return value }
        return nil
    }

    /// The member `key` of an object; nil for a missing key or a non-object.
    public subscript(key: String) -> JSON? {
        get { objectValue?[key] }
        set {
            guard case .object(var object) = self else { return }
            self = .null  // release the payload so the object is uniquely referenced
            object[key] = newValue
            self = .object(object)
        }
    }

    /// The element at `index` of an array; nil when out of range or not an array.
    public subscript(index: Int) -> JSON? {
        guard case .array(let elements) = self, elements.indices.contains(index) else { return nil }
        return elements[index]
    }
}

// Deliberately not ExpressibleByNilLiteral: `nil` where a `JSON?` is expected
// must always mean "absent", never `.null`.
extension JSON: ExpressibleByBooleanLiteral, ExpressibleByIntegerLiteral,
    ExpressibleByStringLiteral, ExpressibleByArrayLiteral, ExpressibleByDictionaryLiteral, ExpressibleByFloatLiteral
{
    public init(booleanLiteral value: Bool) { self = .bool(value) }
    public init(integerLiteral value: Int64) { self = .integer(value) }
    public init(stringLiteral value: String) { self = .string(value) }
    public init(arrayLiteral elements: JSON...) { self = .array(elements) }
    public init(dictionaryLiteral elements: (String, JSON)...) { self = .object(JSONObject(elements)) }
    public init(floatLiteral value: Double) { self = JSONNumber(value).map(JSON.number) ?? .null }
}

/// JSON equality: objects compare without regard to key order, and numbers
/// by value (`1` equals `1.0`), as RFC 6902's `test` requires.
extension JSON: Equatable {
    public static func == (lhs: JSON, rhs: JSON) -> Bool {
        switch (lhs, rhs) {
        case (.null, .null): true
        case (.bool(let a), .bool(let b)): a == b
        case (.integer(let a), .integer(let b)): a == b
        case (.number(let a), .number(let b)): a.literal == b.literal || a.doubleValue == b.doubleValue
        case (.integer, .number), (.number, .integer): lhs.doubleValue == rhs.doubleValue
        case (.string(let a), .string(let b)): a == b
        case (.array(let a), .array(let b)): a == b
        case (.object(let a), .object(let b)): a == b
        default: false
        }
    }
}

extension JSON: Hashable {
    public func hash(into hasher: inout Hasher) {
        switch self {
        case .null: hasher.combine(0)
        case .bool(let value): hasher.combine(value)
        // Integers and other numbers that are equal must hash alike.
        case .integer, .number: hasher.combine(doubleValue)
        case .string(let value): hasher.combine(value)
        case .array(let value): hasher.combine(value)
        case .object(let value): hasher.combine(value)
        }
    }
}

extension JSON {
    /// Equal and written the same way: `1` and `1.0` are equal but not
    /// identical. Patches use it so that a number's spelling is kept
    /// without printing whole values to compare them.
    public func isIdentical(to other: JSON) -> Bool {
        switch (self, other) {
        case (.number(let a), .number(let b)): a.literal == b.literal
        case (.integer, .number), (.number, .integer): false
        case (.array(let a), .array(let b)):
            a.count == b.count && zip(a, b).allSatisfy { $0.isIdentical(to: $1) }
        case (.object(let a), .object(let b)):
            a.count == b.count && a.allSatisfy { key, value in b[key].map(value.isIdentical) ?? false }
        default: self == other
        }
    }
}
