/// How a field of a Kubernetes Go type is written by `encoding/json`, given
/// its Go type and its `json` tag. A protobuf body must become the JSON a
/// Go client would have sent for the same object, so these rules decide
/// which absent or zero fields still appear.
enum JSONPresence: Sendable {
    /// A value field tagged `omitempty`: left out when zero or empty.
    case omitEmpty
    /// A value field without `omitempty`: written even when zero (`null`
    /// for an empty slice or map, which protobuf cannot tell from nil).
    case always
    /// A pointer tagged `omitempty`: written when the body carries it.
    case pointer
    /// A pointer without `omitempty`: `null` when the body lacks it.
    case nullablePointer
    /// A struct tagged `omitzero`: left out when it is the zero value.
    case omitZero
    /// An embedded struct (`json:""`): its fields join the enclosing object.
    case inline
}

/// What a field holds, as Kubernetes' `generated.proto` declares it.
indirect enum FieldKind: Sendable {
    case string
    /// `[]byte`: base64 in JSON.
    case bytes
    case bool
    case int32
    case int64
    /// `map<string, string>`: repeated key (1) / value (2) entries.
    case stringMap
    /// `map<string, bytes>` (a Secret's data): the values base64 in JSON.
    case bytesMap
    case message(MessageSchema)
    /// `metav1.Time`: seconds only, RFC 3339, `null` when zero.
    case time
    /// `metav1.MicroTime`: RFC 3339 with microseconds, `null` when zero.
    case microTime
    /// `intstr.IntOrString`: a number or a string.
    case intOrString
    /// `metav1.FieldsV1`: raw JSON bytes in field 1.
    case rawJSON
}

/// One field of a message: its protobuf number, its JSON name and rules.
struct FieldSchema: Sendable {
    let number: Int
    let name: String
    let kind: FieldKind
    let repeated: Bool
    let presence: JSONPresence
}

/// A protobuf message with its fields in Go struct order (the order
/// `encoding/json` writes them).
struct MessageSchema: Sendable {
    let name: String
    let fields: [FieldSchema]
    private let byNumber: [Int: FieldSchema]

    init(_ name: String, _ fields: [FieldSchema]) {
        self.name = name
        self.fields = fields
        byNumber = Dictionary(fields.map { ($0.number, $0) }, uniquingKeysWith: { first, _ in first })
    }

    func field(_ number: Int) -> FieldSchema? { byNumber[number] }
}

/// Short constructors, so a schema reads like the Go struct it mirrors.
extension FieldSchema {
    static func string(_ number: Int, _ name: String, _ presence: JSONPresence = .omitEmpty) -> FieldSchema {
        FieldSchema(number: number, name: name, kind: .string, repeated: false, presence: presence)
    }

    static func strings(_ number: Int, _ name: String, _ presence: JSONPresence = .omitEmpty) -> FieldSchema {
        FieldSchema(number: number, name: name, kind: .string, repeated: true, presence: presence)
    }

    static func bool(_ number: Int, _ name: String, _ presence: JSONPresence = .omitEmpty) -> FieldSchema {
        FieldSchema(number: number, name: name, kind: .bool, repeated: false, presence: presence)
    }

    static func int32(_ number: Int, _ name: String, _ presence: JSONPresence = .omitEmpty) -> FieldSchema {
        FieldSchema(number: number, name: name, kind: .int32, repeated: false, presence: presence)
    }

    static func int64(_ number: Int, _ name: String, _ presence: JSONPresence = .omitEmpty) -> FieldSchema {
        FieldSchema(number: number, name: name, kind: .int64, repeated: false, presence: presence)
    }

    static func bytes(_ number: Int, _ name: String) -> FieldSchema {
        FieldSchema(number: number, name: name, kind: .bytes, repeated: false, presence: .omitEmpty)
    }

    static func map(_ number: Int, _ name: String, _ presence: JSONPresence = .omitEmpty) -> FieldSchema {
        FieldSchema(number: number, name: name, kind: .stringMap, repeated: false, presence: presence)
    }

    static func message(
        _ number: Int, _ name: String, _ schema: MessageSchema, _ presence: JSONPresence = .always
    ) -> FieldSchema {
        FieldSchema(number: number, name: name, kind: .message(schema), repeated: false, presence: presence)
    }

    static func messages(
        _ number: Int, _ name: String, _ schema: MessageSchema, _ presence: JSONPresence = .omitEmpty
    ) -> FieldSchema {
        FieldSchema(number: number, name: name, kind: .message(schema), repeated: true, presence: presence)
    }

    static func special(
        _ number: Int, _ name: String, _ kind: FieldKind, _ presence: JSONPresence = .always
    ) -> FieldSchema {
        FieldSchema(number: number, name: name, kind: kind, repeated: false, presence: presence)
    }
}
