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

    /// Sets one entry of the string map `field` of this object (nil removes
    /// it), leaving the others where they are; a new key goes last, and a
    /// map left empty is removed. Costs one search of the map, where reading
    /// and writing the whole map hashes every key.
    mutating func setStringMapEntry(_ field: String, key: String, to value: String?) {
        guard case .object(var object) = self else { return }
        self = .null  // the object, and below the map, uniquely referenced: changed in place
        var map = object[field]?.objectValue ?? JSONObject()
        object[field] = .null
        map[key] = value.map(JSON.string)
        object[field] = map.isEmpty ? nil : .object(map)
        self = .object(object)
    }

    /// Writes a string map keeping the existing keys where they were and
    /// adding new keys in sorted order; an empty map removes the field.
    mutating func setStringMap(_ path: String..., to map: [String: String]) {
        guard !map.isEmpty else {
            setField(path[...], to: nil)
            return
        }
        // One pass over what is there, then the new keys: an object with
        // many annotations (kubectl's last-applied-configuration among them)
        // is not searched once per key.
        var added = map
        var members: [JSONObject.Member] = []
        members.reserveCapacity(map.count)
        for (key, value) in field(path[...])?.objectValue ?? JSONObject() {
            guard let wanted = added.removeValue(forKey: key) else { continue }
            members.append(JSONObject.Member(key: key, value: value.stringValue == wanted ? value : .string(wanted)))
        }
        for (key, value) in added.sorted(by: { $0.key < $1.key }) {
            members.append(JSONObject.Member(key: key, value: .string(value)))
        }
        setField(path[...], to: .object(JSONObject(uncheckedMembers: members)))
    }

    static func strings(_ values: [String]) -> JSON { .array(values.map(JSON.string)) }
}

/// A typed view over a JSON value: reading never fails on unknown fields,
/// and writing changes only the fields the view names.
public protocol JSONView: Sendable, Hashable {
    var json: JSON { get set }
    init(json: JSON)
}
