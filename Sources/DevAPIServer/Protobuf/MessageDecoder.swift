import Foundation
import KubeAPI

/// Decodes a protobuf message into the JSON object `encoding/json` writes
/// for the Go struct Kubernetes would have unmarshalled it into: fields in
/// struct order, `omitempty` honoured, embedded structs inlined.
///
/// Protobuf's own rules apply on the way in: the last of repeated
/// occurrences of a scalar wins, occurrences of a message field merge,
/// and unknown fields are skipped (kube-apiserver's decoder does the same).
struct MessageDecoder {
    /// Far deeper than any Kubernetes message nests; a guard, not a limit
    /// a valid body meets.
    static let maxDepth = 32

    /// JSON values still allowed. Go writes zero values for absent fields,
    /// so two bytes (an empty webhook) can become five values; the budget
    /// keeps a body from growing into far more memory than it occupies.
    private var budget: Int

    /// Two values per byte of input, and never more than a million: real
    /// objects stay well under one per byte.
    static func budget(forBodyOf count: Int) -> Int { min(1_000_000, 2 * count + 1024) }

    static func decode(_ reader: ProtobufReader, as schema: MessageSchema, budget: Int) throws(ProtobufError)
        -> JSONObject
    {
        var decoder = MessageDecoder(budget: budget)
        return try decoder.decode(reader, as: schema, depth: 0)
    }

    /// One occurrence of a field in the wire data.
    private enum Occurrence {
        case scalar(UInt64)
        case bytes(Range<Int>)
    }

    private mutating func decode(_ reader: ProtobufReader, as schema: MessageSchema, depth: Int) throws(ProtobufError)
        -> JSONObject
    {
        guard depth < Self.maxDepth else {
            throw ProtobufError("\(schema.name) nests deeper than \(Self.maxDepth) messages")
        }
        var reader = reader
        var found: [Int: [Occurrence]] = [:]
        while let (number, wireType) = try reader.nextField() {
            guard let field = schema.field(number) else {
                try reader.skip(wireType)
                continue
            }
            let expected: WireType = field.kind.isVarint ? .varint : .lengthDelimited
            guard wireType == expected else {
                throw ProtobufError(
                    "\(schema.name).\(field.name) (field \(number)) has wire type \(wireType.rawValue), expected \(expected.rawValue)"
                )
            }
            let occurrence: Occurrence =
                expected == .varint ? .scalar(try reader.varint()) : .bytes(try reader.lengthDelimited())
            // Only the last of a singular field's occurrences counts, so
            // only it is kept; repeated fields, maps and messages keep all.
            if field.keepsEveryOccurrence {
                found[number, default: []].append(occurrence)
            } else {
                found[number] = [occurrence]
            }
        }
        var object = JSONObject()
        for field in schema.fields {
            let occurrences = found[field.number] ?? []
            let path = "\(schema.name).\(field.name)"
            if case .inline = field.presence, case .message(let inner) = field.kind {
                let merged = try decode(merging: occurrences, in: reader, as: inner, depth: depth + 1)
                for (key, value) in merged { object[key] = value }
                continue
            }
            if let value = try value(of: field, occurrences, in: reader, path: path, depth: depth) {
                // Members of nested messages were counted as they were decoded.
                let entries: Int
                switch field.kind {
                case .stringMap, .bytesMap: entries = value.objectValue?.count ?? 0
                default: entries = 0
                }
                try spend(1 + (value.arrayValue?.count ?? 0) + entries, path)
                object[field.name] = value
            }
        }
        return object
    }

    /// The JSON for one field, or nil when `encoding/json` would leave it out.
    private mutating func value(
        of field: FieldSchema,
        _ occurrences: [Occurrence],
        in reader: ProtobufReader,
        path: String,
        depth: Int
    ) throws(ProtobufError) -> JSON? {
        if field.repeated {
            var items: [JSON] = []
            for occurrence in occurrences {
                items.append(try single(field.kind, occurrence, in: reader, path: path, depth: depth))
            }
            if items.isEmpty { return field.presence == .always ? .null : nil }
            return .array(items)
        }
        switch field.kind {
        case .stringMap, .bytesMap:
            let binary = if case .bytesMap = field.kind { true } else { false }
            var entries: [String: String] = [:]
            for occurrence in occurrences {
                guard case .bytes(let range) = occurrence else { continue }
                let (key, value) = try Self.mapEntry(reader.reader(for: range), binaryValue: binary, path: path)
                entries[key] = value
            }
            if entries.isEmpty { return field.presence == .always ? .null : nil }
            // Go writes map keys sorted.
            return .object(JSONObject(entries.sorted { $0.key < $1.key }.map { ($0.key, JSON.string($0.value)) }))
        case .message(let schema):
            if occurrences.isEmpty, field.presence == .pointer { return nil }
            if occurrences.isEmpty, field.presence == .nullablePointer { return .null }
            return .object(try decode(merging: occurrences, in: reader, as: schema, depth: depth + 1))
        case .time, .microTime, .intOrString, .rawJSON:
            guard let last = occurrences.last else {
                switch field.presence {
                case .pointer, .omitZero: return nil
                case .nullablePointer: return .null
                default: return try single(field.kind, nil, in: reader, path: path, depth: depth)
                }
            }
            let value = try single(field.kind, last, in: reader, path: path, depth: depth)
            if field.presence == .omitZero, value == .null { return nil }
            return value
        case .string, .bytes, .bool, .int32, .int64:
            guard let last = occurrences.last else {
                switch field.presence {
                case .always: return field.kind.zero
                case .nullablePointer: return .null
                default: return nil
                }
            }
            let value = try single(field.kind, last, in: reader, path: path, depth: depth)
            if field.presence == .omitEmpty, value == field.kind.zero { return nil }
            return value
        }
    }

    /// One value; `nil` occurrence means the Go zero value of a struct type.
    private mutating func single(
        _ kind: FieldKind,
        _ occurrence: Occurrence?,
        in reader: ProtobufReader,
        path: String,
        depth: Int
    ) throws(ProtobufError) -> JSON {
        switch (kind, occurrence) {
        case (.bool, .scalar(let raw)?): return .bool(raw != 0)
        // int32 travels sign-extended to 64 bits; Go keeps the low 32.
        case (.int32, .scalar(let raw)?): return .integer(Int64(Int32(truncatingIfNeeded: raw)))
        case (.int64, .scalar(let raw)?): return .integer(Int64(bitPattern: raw))
        case (.string, .bytes(let range)?): return .string(try Self.text(reader.bytes[range], path: path))
        case (.bytes, .bytes(let range)?): return .string(Data(reader.bytes[range]).base64EncodedString())
        case (.message(let schema), .bytes(let range)?):
            return .object(try decode(reader.reader(for: range), as: schema, depth: depth + 1))
        case (.time, let occurrence), (.microTime, let occurrence):
            guard case .bytes(let range)? = occurrence, !range.isEmpty else { return .null }
            return try KubernetesTime.json(
                reader.reader(for: range), micro: { if case .microTime = kind { true } else { false } }(), path: path)
        case (.intOrString, let occurrence):
            guard case .bytes(let range)? = occurrence else { return .integer(0) }
            return try Self.intOrString(reader.reader(for: range), path: path)
        case (.rawJSON, let occurrence):
            guard case .bytes(let range)? = occurrence else { return .null }
            return try Self.rawJSON(reader.reader(for: range), path: path)
        default:
            throw ProtobufError("\(path) has an unexpected encoding")
        }
    }

    /// Occurrences of a singular message field merge, as protobuf says; the
    /// concatenation of their encodings decodes to exactly that merge.
    private mutating func decode(
        merging occurrences: [Occurrence],
        in reader: ProtobufReader,
        as schema: MessageSchema,
        depth: Int
    ) throws(ProtobufError) -> JSONObject {
        let ranges = occurrences.compactMap { if case .bytes(let range) = $0 { range } else { nil } }
        if ranges.count <= 1 {
            return try decode(reader.reader(for: ranges.first ?? reader.end..<reader.end), as: schema, depth: depth)
        }
        let joined = ranges.flatMap { reader.bytes[$0] }
        return try decode(ProtobufReader(joined), as: schema, depth: depth)
    }

    private mutating func spend(_ values: Int, _ path: String) throws(ProtobufError) {
        budget -= values
        guard budget >= 0 else {
            throw ProtobufError("\(path): the body decodes to more JSON values than its size allows")
        }
    }

    /// A map entry: key (1) and value (2); a binary value comes back base64.
    private static func mapEntry(_ reader: ProtobufReader, binaryValue: Bool, path: String) throws(ProtobufError)
        -> (String, String)
    {
        var reader = reader
        var key = ""
        var value = ""
        while let (number, wireType) = try reader.nextField() {
            guard number == 1 || number == 2, wireType == .lengthDelimited else {
                try reader.skip(wireType)
                continue
            }
            let bytes = reader.bytes[try reader.lengthDelimited()]
            if number == 2, binaryValue {
                value = Data(bytes).base64EncodedString()
            } else {
                let string = try Self.text(bytes, path: path)
                if number == 1 { key = string } else { value = string }
            }
        }
        return (key, value)
    }

    /// `intstr.IntOrString`: type 0 is intVal (2), type 1 is strVal (3).
    private static func intOrString(_ reader: ProtobufReader, path: String) throws(ProtobufError) -> JSON {
        var reader = reader
        var type: Int64 = 0
        var intValue: Int32 = 0
        var stringValue = ""
        while let (number, wireType) = try reader.nextField() {
            switch (number, wireType) {
            case (1, .varint): type = Int64(bitPattern: try reader.varint())
            case (2, .varint): intValue = Int32(truncatingIfNeeded: try reader.varint())
            case (3, .lengthDelimited):
                stringValue = try Self.text(reader.bytes[try reader.lengthDelimited()], path: path)
            default: try reader.skip(wireType)
            }
        }
        switch type {
        case 0: return .integer(Int64(intValue))
        case 1: return .string(stringValue)
        default: throw ProtobufError("\(path) has an IntOrString of unknown type \(type)")
        }
    }

    /// `metav1.FieldsV1`: its one field holds JSON, written as is.
    private static func rawJSON(_ reader: ProtobufReader, path: String) throws(ProtobufError) -> JSON {
        var reader = reader
        var raw: ArraySlice<UInt8>?
        while let (number, wireType) = try reader.nextField() {
            if number == 1, wireType == .lengthDelimited {
                raw = reader.bytes[try reader.lengthDelimited()]
            } else {
                try reader.skip(wireType)
            }
        }
        guard let raw else { return .null }
        do {
            return try JSON(parsing: raw)
        } catch {
            throw ProtobufError("\(path) is not valid JSON: \(error)")
        }
    }

    /// Strings must be UTF-8: JSON cannot carry anything else without
    /// silently replacing bytes.
    static func text(_ bytes: ArraySlice<UInt8>, path: String) throws(ProtobufError) -> String {
        guard let string = String(validating: bytes, as: UTF8.self) else {
            throw ProtobufError("\(path) is not valid UTF-8")
        }
        return string
    }
}

extension FieldSchema {
    var keepsEveryOccurrence: Bool {
        if repeated { return true }
        switch kind {
        case .stringMap, .bytesMap, .message: return true
        default: return false
        }
    }
}

extension FieldKind {
    var isVarint: Bool {
        switch self {
        case .bool, .int32, .int64: true
        default: false
        }
    }

    /// The Go zero value of a scalar, as JSON.
    var zero: JSON {
        switch self {
        case .bool: .bool(false)
        case .int32, .int64: .integer(0)
        default: .string("")
        }
    }
}
