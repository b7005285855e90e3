/// A JSON object that keeps its keys in the order they were written.
///
/// Kubernetes objects have a handful of keys per level, so lookups scan
/// the keys; that beats hashing at these sizes and keeps order for free.
/// Setting an existing key keeps its position; a new key goes last;
/// setting nil removes the key.
public struct JSONObject: Sendable {
    public private(set) var keys: [String]
    public private(set) var values: [JSON]

    public init() {
        keys = []
        values = []
    }

    /// Builds an object from pairs; a repeated key keeps its first position
    /// and its last value, as Go's encoding/json does.
    public init(_ pairs: some Sequence<(String, JSON)>) {
        self.init()
        for (key, value) in pairs { self[key] = value }
    }

    init(uncheckedKeys keys: [String], values: [JSON]) {
        self.keys = keys
        self.values = values
    }

    public var count: Int { keys.count }
    public var isEmpty: Bool { keys.isEmpty }

    public func index(forKey key: String) -> Int? {
        keys.firstIndex(of: key)
    }

    public subscript(key: String) -> JSON? {
        get { index(forKey: key).map { values[$0] } }
        set {
            if let index = index(forKey: key) {
                if let newValue {
                    values[index] = newValue
                } else {
                    keys.remove(at: index)
                    values.remove(at: index)
                }
            } else if let newValue {
                keys.append(key)
                values.append(newValue)
            }
        }
    }

    /// Inserts or replaces `key` at a position (for patches that must keep
    /// order stable); replacing keeps the existing position.
    public mutating func set(_ value: JSON, forKey key: String) {
        self[key] = value
    }

    @discardableResult
    public mutating func removeValue(forKey key: String) -> JSON? {
        guard let index = index(forKey: key) else { return nil }
        keys.remove(at: index)
        return values.remove(at: index)
    }
}

extension JSONObject: Sequence {
    public func makeIterator() -> Zip2Sequence<[String], [JSON]>.Iterator {
        zip(keys, values).makeIterator()
    }
}

extension JSONObject: ExpressibleByDictionaryLiteral {
    public init(dictionaryLiteral elements: (String, JSON)...) {
        self.init(elements)
    }
}

extension JSONObject: Hashable {
    /// Equal when both have the same keys with equal values, in any order.
    public static func == (lhs: JSONObject, rhs: JSONObject) -> Bool {
        guard lhs.count == rhs.count else { return false }
        if lhs.keys == rhs.keys { return lhs.values == rhs.values }
        for (key, value) in lhs {
            guard let other = rhs[key], other == value else { return false }
        }
        return true
    }

    public func hash(into hasher: inout Hasher) {
        // Order-independent: a commutative sum of each member's own hash.
        var sum = 0
        for (key, value) in self {
            var member = Hasher()
            member.combine(key)
            member.combine(value)
            sum = sum &+ member.finalize()
        }
        hasher.combine(count)
        hasher.combine(sum)
    }
}
