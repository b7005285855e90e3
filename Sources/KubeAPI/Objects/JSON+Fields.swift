/// Reading and writing fields by path, for the typed views.
///
/// Reads never fail: a missing field or a field of another type reads as
/// nil. Writes create the objects along the path as needed, change only
/// the field they name, and remove it when given nil.
extension JSON {
    public func field(_ path: String...) -> JSON? {
        field(path[...])
    }

    func field(_ path: ArraySlice<String>) -> JSON? {
        var current = self
        for key in path {
            guard let next = current[key] else { return nil }
            current = next
        }
        return current
    }

    public mutating func setField(_ path: String..., to value: JSON?) {
        setField(path[...], to: value)
    }

    mutating func setField(_ path: ArraySlice<String>, to value: JSON?) {
        guard let key = path.first else {
            self = value ?? .null
            return
        }
        var object = objectValue ?? JSONObject()
        self = .null  // keep the object uniquely referenced while it changes
        if path.count == 1 {
            object[key] = value
        } else {
            var child = object[key] ?? (value == nil ? .null : .object(JSONObject()))
            if value == nil, child.objectValue == nil {
                self = .object(object)
                return
            }
            object[key] = .null
            child.setField(path.dropFirst(), to: value)
            object[key] = child
        }
        self = .object(object)
    }

    func string(_ path: String...) -> String? { field(path[...])?.stringValue }
    func integer(_ path: String...) -> Int64? { field(path[...])?.integerValue }
    func bool(_ path: String...) -> Bool? { field(path[...])?.boolValue }
    func array(_ path: String...) -> [JSON] { field(path[...])?.arrayValue ?? [] }

    /// A string-to-string map such as labels; entries of other types are skipped.
    func stringMap(_ path: String...) -> [String: String] {
        guard let object = field(path[...])?.objectValue else { return [:] }
        var map: [String: String] = [:]
        for (key, value) in object {
            if let text = value.stringValue { map[key] = text }
        }
        return map
    }

    /// Writes a string map keeping the existing keys where they were and
    /// adding new keys in sorted order; an empty map removes the field.
    mutating func setStringMap(_ path: String..., to map: [String: String]) {
        guard !map.isEmpty else {
            setField(path[...], to: nil)
            return
        }
        var object = field(path[...])?.objectValue ?? JSONObject()
        for key in object.keys where map[key] == nil {
            object[key] = nil
        }
        for key in map.keys.sorted() {
            object[key] = .string(map[key]!)
        }
        setField(path[...], to: .object(object))
    }

    static func strings(_ values: [String]) -> JSON { .array(values.map(JSON.string)) }
}

/// A typed view over a JSON value: reading never fails on unknown fields,
/// and writing changes only the fields the view names.
public protocol JSONView: Sendable, Hashable {
    var json: JSON { get set }
    init(json: JSON)
}
