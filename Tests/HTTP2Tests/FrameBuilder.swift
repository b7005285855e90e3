import NIOCore

/// Hand-made HTTP/2 frames, for driving the server without a client
/// library: header blocks use HPACK literals without indexing or Huffman.
enum Frame {
    static let preface = Array("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n".utf8)

    enum Kind: UInt8 {
        case data = 0, headers = 1, rstStream = 3, settings = 4, ping = 6, goAway = 7, windowUpdate = 8, continuation =
            9
    }

    static let endStream: UInt8 = 0x1
    static let endHeaders: UInt8 = 0x4
    static let ack: UInt8 = 0x1

    static func frame(_ kind: Kind, flags: UInt8 = 0, stream: UInt32 = 0, _ payload: [UInt8] = []) -> [UInt8] {
        let length = payload.count
        return [UInt8(length >> 16 & 0xFF), UInt8(length >> 8 & 0xFF), UInt8(length & 0xFF), kind.rawValue, flags]
            + be32(stream & 0x7FFF_FFFF) + payload
    }

    static func be32(_ value: UInt32) -> [UInt8] {
        [UInt8(value >> 24 & 0xFF), UInt8(value >> 16 & 0xFF), UInt8(value >> 8 & 0xFF), UInt8(value & 0xFF)]
    }

    static func settings(_ entries: [(UInt16, UInt32)] = []) -> [UInt8] {
        frame(.settings, entries.flatMap { [UInt8($0.0 >> 8), UInt8($0.0 & 0xFF)] + be32($0.1) })
    }

    /// A header block of literal fields ("without indexing", new name).
    static func headerBlock(_ headers: [(String, String)]) -> [UInt8] {
        var block: [UInt8] = []
        for (name, value) in headers {
            block.append(0x00)
            block += integer(name.utf8.count) + Array(name.utf8)
            block += integer(value.utf8.count) + Array(value.utf8)
        }
        return block
    }

    /// HPACK integer with a 7-bit prefix and the Huffman bit clear.
    static func integer(_ value: Int) -> [UInt8] {
        if value < 127 { return [UInt8(value)] }
        var bytes: [UInt8] = [127]
        var rest = value - 127
        while rest >= 128 {
            bytes.append(UInt8(rest % 128 + 128))
            rest /= 128
        }
        bytes.append(UInt8(rest))
        return bytes
    }

    static func request(
        stream: UInt32, method: String = "GET", path: String = "/", extra: [(String, String)] = [],
        endStream: Bool = true
    ) -> [UInt8] {
        let headers = [(":method", method), (":scheme", "https"), (":path", path), (":authority", "localhost")] + extra
        return frame(
            .headers, flags: endHeaders | (endStream ? Self.endStream : 0), stream: stream, headerBlock(headers))
    }

    static func data(stream: UInt32, _ bytes: [UInt8], endStream: Bool) -> [UInt8] {
        frame(.data, flags: endStream ? Self.endStream : 0, stream: stream, bytes)
    }

    /// The start every client sends: preface and an empty SETTINGS.
    static let clientStart = preface + settings()
}

/// A frame the server sent, parsed just enough for assertions.
struct ParsedFrame {
    var kind: UInt8
    var flags: UInt8
    var stream: UInt32
    var payload: [UInt8]

    var isGoAway: Bool { kind == Frame.Kind.goAway.rawValue }
    var isReset: Bool { kind == Frame.Kind.rstStream.rawValue }
    /// The error code of RST_STREAM or GOAWAY.
    var errorCode: UInt32? {
        let offset = isGoAway ? 4 : (isReset ? 0 : -1)
        guard offset >= 0, payload.count >= offset + 4 else { return nil }
        return payload[offset..<(offset + 4)].reduce(0) { $0 << 8 | UInt32($1) }
    }

    static func parse(_ bytes: [UInt8]) -> [ParsedFrame] {
        var frames: [ParsedFrame] = []
        var index = 0
        while index + 9 <= bytes.count {
            let length = Int(bytes[index]) << 16 | Int(bytes[index + 1]) << 8 | Int(bytes[index + 2])
            guard index + 9 + length <= bytes.count else { break }
            let stream = bytes[(index + 5)..<(index + 9)].reduce(UInt32(0)) { $0 << 8 | UInt32($1) } & 0x7FFF_FFFF
            frames.append(
                ParsedFrame(
                    kind: bytes[index + 3], flags: bytes[index + 4], stream: stream,
                    payload: Array(bytes[(index + 9)..<(index + 9 + length)])))
            index += 9 + length
        }
        return frames
    }
}
