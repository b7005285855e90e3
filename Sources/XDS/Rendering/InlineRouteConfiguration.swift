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

extension InlineRouteConfiguration {
    /// The virtual hosts of an encoded route configuration, each as its
    /// name and its bytes, in order; nil if the bytes are not one this
    /// encoder wrote (only length-delimited fields).
    static func virtualHosts(in data: Data) -> [(name: String, bytes: Data)]? {
        let bytes = [UInt8](data)
        var hosts: [(name: String, bytes: Data)] = []
        var index = 0
        while index < bytes.count {
            guard let (number, start, end) = field(in: bytes, at: index) else { return nil }
            if number == 2 {
                let host = Array(bytes[start..<end])
                guard let (nameNumber, nameStart, nameEnd) = field(in: host, at: 0), nameNumber == 1 else { return nil }
                hosts.append((String(decoding: host[nameStart..<nameEnd], as: UTF8.self), Data(host)))
            }
            index = end
        }
        return hosts
    }

    /// The length-delimited field at `index`: its number and where its bytes lie.
    private static func field(in bytes: [UInt8], at index: Int) -> (number: UInt64, start: Int, end: Int)? {
        var index = index
        guard let key = varint(bytes, &index), key & 7 == 2, let length = varint(bytes, &index),
            length <= UInt64(bytes.count - index)
        else { return nil }
        return (key >> 3, index, index + Int(length))
    }

    private static func varint(_ bytes: [UInt8], _ index: inout Int) -> UInt64? {
        var value: UInt64 = 0
        var shift: UInt64 = 0
        while index < bytes.count, shift < 64 {
            let byte = bytes[index]
            index += 1
            value |= UInt64(byte & 0x7f) << shift
            if byte < 0x80 { return value }
            shift += 7
        }
        return nil
    }
}
