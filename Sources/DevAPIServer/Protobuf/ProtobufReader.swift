/// A fault in a protobuf body, with where it was found.
struct ProtobufError: Error, Equatable, CustomStringConvertible {
    let message: String

    init(_ message: String) { self.message = message }

    var description: String { message }
}

/// The protobuf wire types this server reads. Groups (3 and 4) are
/// deprecated and no Kubernetes message uses them, so they are refused.
enum WireType: UInt8 {
    case varint = 0
    case fixed64 = 1
    case lengthDelimited = 2
    case fixed32 = 5
}

/// Reads protobuf's wire format from a byte range, checking every length
/// against what is left, so truncated or garbage input ends in a
/// `ProtobufError` and never reads out of bounds.
struct ProtobufReader {
    let bytes: [UInt8]
    private(set) var position: Int
    let end: Int

    init(_ bytes: [UInt8]) {
        self.init(bytes, range: bytes.startIndex..<bytes.endIndex)
    }

    init(_ bytes: [UInt8], range: Range<Int>) {
        self.bytes = bytes
        self.position = range.lowerBound
        self.end = range.upperBound
    }

    var isAtEnd: Bool { position >= end }

    /// The next field's number and wire type; nil at the end of the message.
    mutating func nextField() throws(ProtobufError) -> (number: Int, wireType: WireType)? {
        guard !isAtEnd else { return nil }
        let key = try varint()
        let number = key >> 3
        guard number > 0, number <= 536_870_911 else {
            throw ProtobufError("invalid field number \(number) at byte \(position)")
        }
        guard let wireType = WireType(rawValue: UInt8(key & 7)) else {
            throw ProtobufError("unsupported wire type \(key & 7) for field \(number)")
        }
        return (Int(number), wireType)
    }

    /// A base-128 varint of at most ten bytes.
    mutating func varint() throws(ProtobufError) -> UInt64 {
        var result: UInt64 = 0
        for index in 0..<10 {
            guard position < end else { throw ProtobufError("truncated varint at byte \(position)") }
            let byte = bytes[position]
            position += 1
            // The tenth byte carries only the top bit of a 64-bit value.
            if index == 9, byte > 1 { throw ProtobufError("varint overflows 64 bits at byte \(position - 1)") }
            result |= UInt64(byte & 0x7F) << (7 * UInt64(index))
            if byte & 0x80 == 0 { return result }
        }
        throw ProtobufError("varint longer than ten bytes at byte \(position)")
    }

    /// The byte range of a length-delimited value (string, bytes, message).
    mutating func lengthDelimited() throws(ProtobufError) -> Range<Int> {
        let length = try varint()
        guard length <= UInt64(end - position) else {
            throw ProtobufError("length \(length) at byte \(position) runs past the end of its message")
        }
        let range = position..<(position + Int(length))
        position = range.upperBound
        return range
    }

    mutating func fixed32() throws(ProtobufError) -> UInt32 {
        UInt32(truncatingIfNeeded: try littleEndian(4))
    }

    mutating func fixed64() throws(ProtobufError) -> UInt64 {
        try littleEndian(8)
    }

    private mutating func littleEndian(_ count: Int) throws(ProtobufError) -> UInt64 {
        guard end - position >= count else { throw ProtobufError("truncated fixed\(count * 8) at byte \(position)") }
        var value: UInt64 = 0
        for index in 0..<count { value |= UInt64(bytes[position + index]) << (8 * UInt64(index)) }
        position += count
        return value
    }

    /// Skips a field this server does not model, as Kubernetes' decoders do.
    mutating func skip(_ wireType: WireType) throws(ProtobufError) {
        switch wireType {
        case .varint: _ = try varint()
        case .fixed64: _ = try fixed64()
        case .lengthDelimited: _ = try lengthDelimited()
        case .fixed32: _ = try fixed32()
        }
    }

    /// A reader over a sub-message's bytes.
    func reader(for range: Range<Int>) -> ProtobufReader {
        ProtobufReader(bytes, range: range)
    }
}
