/// A protobuf encoder for tests: builds the bodies client-go would send,
/// field by field, so decoder tests state their input in the proto's terms.
struct ProtobufWriter {
    private(set) var bytes: [UInt8] = []

    mutating func varint(_ value: UInt64) {
        var value = value
        while value >= 0x80 {
            bytes.append(UInt8(value & 0x7F) | 0x80)
            value >>= 7
        }
        bytes.append(UInt8(value))
    }

    mutating func key(_ number: Int, _ wireType: UInt8) {
        varint(UInt64(number) << 3 | UInt64(wireType))
    }

    mutating func int(_ number: Int, _ value: Int64) {
        key(number, 0)
        varint(UInt64(bitPattern: value))
    }

    mutating func bool(_ number: Int, _ value: Bool) { int(number, value ? 1 : 0) }

    mutating func bytes(_ number: Int, _ value: [UInt8]) {
        key(number, 2)
        varint(UInt64(value.count))
        bytes.append(contentsOf: value)
    }

    mutating func string(_ number: Int, _ value: String) { bytes(number, Array(value.utf8)) }

    mutating func message(_ number: Int, _ build: (inout ProtobufWriter) -> Void) {
        var inner = ProtobufWriter()
        build(&inner)
        bytes(number, inner.bytes)
    }

    mutating func mapEntry(_ number: Int, _ key: String, _ value: String) {
        message(number) {
            $0.string(1, key)
            $0.string(2, value)
        }
    }

    /// `k8s\0` + runtime.Unknown{typeMeta, raw}: a whole request body.
    static func envelope(apiVersion: String, kind: String, _ build: (inout ProtobufWriter) -> Void) -> [UInt8] {
        var object = ProtobufWriter()
        build(&object)
        var unknown = ProtobufWriter()
        unknown.message(1) {
            $0.string(1, apiVersion)
            $0.string(2, kind)
        }
        unknown.bytes(2, object.bytes)
        return [0x6B, 0x38, 0x73, 0x00] + unknown.bytes
    }
}
