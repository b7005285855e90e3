import NIOCore

/// gRPC's length-prefixed messages: a compressed flag byte, a big-endian
/// 32-bit length, then the message.
enum GRPCFraming {
    static func frame(_ message: [UInt8]) -> ByteBuffer {
        var buffer = ByteBuffer()
        buffer.reserveCapacity(5 + message.count)
        buffer.writeInteger(UInt8(0))
        buffer.writeInteger(UInt32(message.count))
        buffer.writeBytes(message)
        return buffer
    }
}

/// Cuts a stream of DATA chunks into whole messages.
struct GRPCMessageDecoder {
    /// gRPC's default limit on a received message.
    let maxMessageBytes: Int
    private var pending = ByteBuffer()

    init(maxMessageBytes: Int = 4 * 1024 * 1024) {
        self.maxMessageBytes = maxMessageBytes
    }

    mutating func append(_ chunk: ByteBuffer) {
        var chunk = chunk
        if pending.readableBytes == 0 { pending = chunk } else { pending.writeBuffer(&chunk) }
    }

    /// The next whole message, or nil until more bytes arrive.
    mutating func next() throws(GRPCStatus) -> [UInt8]? {
        guard let flag = pending.getInteger(at: pending.readerIndex, as: UInt8.self),
            let length = pending.getInteger(at: pending.readerIndex + 1, as: UInt32.self)
        else { return nil }
        guard flag == 0 else {
            throw GRPCStatus(.unimplemented, "compressed messages are not supported (grpc-accept-encoding: identity)")
        }
        guard Int(length) <= maxMessageBytes else {
            throw GRPCStatus(.resourceExhausted, "message of \(length) bytes is larger than \(maxMessageBytes)")
        }
        guard pending.readableBytes >= 5 + Int(length) else { return nil }
        pending.moveReaderIndex(forwardBy: 5)
        return pending.readBytes(length: Int(length))
    }

    /// Bytes of a message begun but not finished.
    var hasPartialMessage: Bool { pending.readableBytes > 0 }
}
