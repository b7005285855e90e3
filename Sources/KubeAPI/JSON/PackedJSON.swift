/// A JSON value packed into one byte array: how a cache keeps thousands of
/// objects at rest. A parsed tree costs about four times the object's JSON
/// text (a 40-byte member per key and an allocation per object and array);
/// a packed value costs a little less than its text, in one allocation.
///
/// Unpacking gives the same tree again, faster than parsing the text: no
/// whitespace, quotes, commas or escapes to scan, every count known ahead,
/// every string already valid UTF-8.
///
/// The layout, in pre-order, a tag byte per value followed by:
/// - integer: its zigzag LEB128 varint;
/// - number: the literal's length (varint) and bytes;
/// - string: its UTF-8 length (varint) and bytes;
/// - array: the element count (varint), then the elements;
/// - object: the member count (varint), then each key (length and bytes)
///   followed by its value.
public struct PackedJSON: Sendable, Equatable {
    /// The packed bytes; only `init(_:)` makes them, so they always unpack.
    public let bytes: [UInt8]

    private enum Tag: UInt8 {
        case null, `false`, `true`, integer, number, string, array, object
    }

    public init(_ value: JSON) {
        var bytes: [UInt8] = []
        // Sized first: an array grown by appends keeps up to twice what it holds.
        bytes.reserveCapacity(Self.packedSize(of: value))
        Self.pack(value, into: &bytes)
        self.bytes = bytes
    }

    /// The value as a tree again, equal to the one packed, key order included.
    public func unpacked() -> JSON {
        var reader = Reader(bytes: bytes)
        return reader.value()
    }

    // MARK: - Packing

    private static func packedSize(of value: JSON) -> Int {
        switch value {
        case .null, .bool: 1
        case .integer(let integer): 1 + varintSize(zigzag(integer))
        case .number(let number): 1 + sizeWithLength(number.literal.utf8.count)
        case .string(let string): 1 + sizeWithLength(string.utf8.count)
        case .array(let elements):
            elements.reduce(1 + varintSize(UInt64(elements.count))) { $0 + packedSize(of: $1) }
        case .object(let object):
            object.members.reduce(1 + varintSize(UInt64(object.count))) {
                $0 + sizeWithLength($1.key.utf8.count) + packedSize(of: $1.value)
            }
        }
    }

    private static func sizeWithLength(_ count: Int) -> Int {
        varintSize(UInt64(count)) + count
    }

    private static func pack(_ value: JSON, into bytes: inout [UInt8]) {
        switch value {
        case .null:
            bytes.append(Tag.null.rawValue)
        case .bool(let flag):
            bytes.append(flag ? Tag.true.rawValue : Tag.false.rawValue)
        case .integer(let integer):
            bytes.append(Tag.integer.rawValue)
            appendVarint(zigzag(integer), to: &bytes)
        case .number(let number):
            bytes.append(Tag.number.rawValue)
            appendText(number.literal, to: &bytes)
        case .string(let string):
            bytes.append(Tag.string.rawValue)
            appendText(string, to: &bytes)
        case .array(let elements):
            bytes.append(Tag.array.rawValue)
            appendVarint(UInt64(elements.count), to: &bytes)
            for element in elements { pack(element, into: &bytes) }
        case .object(let object):
            bytes.append(Tag.object.rawValue)
            appendVarint(UInt64(object.count), to: &bytes)
            for member in object.members {
                appendText(member.key, to: &bytes)
                pack(member.value, into: &bytes)
            }
        }
    }

    private static func appendText(_ text: String, to bytes: inout [UInt8]) {
        appendVarint(UInt64(text.utf8.count), to: &bytes)
        bytes.append(contentsOf: text.utf8)
    }

    private static func zigzag(_ value: Int64) -> UInt64 {
        UInt64(bitPattern: (value << 1) ^ (value >> 63))
    }

    private static func varintSize(_ value: UInt64) -> Int {
        var size = 1
        var rest = value >> 7
        while rest != 0 {
            size += 1
            rest >>= 7
        }
        return size
    }

    private static func appendVarint(_ value: UInt64, to bytes: inout [UInt8]) {
        var rest = value
        while rest >= 0x80 {
            bytes.append(UInt8(truncatingIfNeeded: rest) | 0x80)
            rest >>= 7
        }
        bytes.append(UInt8(rest))
    }

    // MARK: - Unpacking

    private struct Reader {
        let bytes: [UInt8]
        var position = 0

        mutating func value() -> JSON {
            let tag = Tag(rawValue: bytes[position])!
            position += 1
            switch tag {
            case .null: return .null
            case .false: return .bool(false)
            case .true: return .bool(true)
            case .integer:
                let zigzag = varint()
                return .integer(Int64(bitPattern: zigzag >> 1) ^ -Int64(bitPattern: zigzag & 1))
            case .number: return .number(JSONNumber(unchecked: text()))
            case .string: return .string(text())
            case .array:
                let count = Int(varint())
                var elements: [JSON] = []
                elements.reserveCapacity(count)
                for _ in 0..<count { elements.append(value()) }
                return .array(elements)
            case .object:
                let count = Int(varint())
                var members: [JSONObject.Member] = []
                members.reserveCapacity(count)
                for _ in 0..<count {
                    let key = text()
                    members.append(JSONObject.Member(key: key, value: value()))
                }
                return .object(JSONObject(uncheckedMembers: members))
            }
        }

        private mutating func text() -> String {
            let count = Int(varint())
            defer { position += count }
            return String(decoding: bytes[position..<position + count], as: UTF8.self)
        }

        private mutating func varint() -> UInt64 {
            var value: UInt64 = 0
            var shift: UInt64 = 0
            while true {
                let byte = bytes[position]
                position += 1
                value |= UInt64(byte & 0x7F) << shift
                if byte < 0x80 { return value }
                shift += 7
            }
        }
    }
}
