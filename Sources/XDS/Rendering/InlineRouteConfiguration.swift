import Foundation

/// A route configuration with every virtual host inline, written straight
/// from the virtual hosts' serialised bytes: protobuf encodes a repeated
/// message field as the concatenation of its elements, so the 10,000
/// virtual hosts already serialised for delta need not be encoded again
/// for state of the world.
enum InlineRouteConfiguration {
    /// `RouteConfiguration { name = 1; repeated VirtualHost virtual_hosts = 2; }`.
    static func encode(name: String, virtualHosts: [Data]) -> Data {
        var bytes = Data()
        bytes.reserveCapacity(name.utf8.count + virtualHosts.reduce(0) { $0 + $1.count + 6 } + 6)
        appendField(1, Data(name.utf8), to: &bytes)
        for virtualHost in virtualHosts { appendField(2, virtualHost, to: &bytes) }
        return bytes
    }

    /// A length-delimited field: its tag, its length as a varint, its bytes.
    private static func appendField(_ number: UInt64, _ value: Data, to bytes: inout Data) {
        guard !(number == 1 && value.isEmpty) else { return }  // proto3 leaves an empty string out
        appendVarint(number << 3 | 2, to: &bytes)
        appendVarint(UInt64(value.count), to: &bytes)
        bytes.append(value)
    }

    private static func appendVarint(_ value: UInt64, to bytes: inout Data) {
        var value = value
        while value >= 0x80 {
            bytes.append(UInt8(value & 0x7f) | 0x80)
            value >>= 7
        }
        bytes.append(UInt8(value))
    }
}
