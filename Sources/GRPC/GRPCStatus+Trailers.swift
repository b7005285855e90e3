public import HTTP2

extension GRPCStatus {
    /// The trailers a call ends with: `grpc-status`, `grpc-message` when
    /// there is one, and the encodings accepted when one was refused.
    var trailers: [HTTP2Header] {
        var trailers = [HTTP2Header("grpc-status", "\(code.rawValue)")]
        if !message.isEmpty { trailers.append(HTTP2Header("grpc-message", encodedMessage)) }
        if code == .unimplemented { trailers.append(HTTP2Header("grpc-accept-encoding", "identity")) }
        return trailers
    }

    /// The status that `trailers` carry, as a client reads it. Without a
    /// `grpc-status` the call did not end as gRPC (an HTTP error): UNKNOWN.
    public init(trailers: [HTTP2Header]) {
        func value(_ name: String) -> String? { trailers.first { $0.name == name }?.value }
        guard let raw = value("grpc-status"), let number = Int(raw) else {
            self.init(.unknown, "no grpc-status (HTTP status \(value(":status") ?? "none"))")
            return
        }
        self.init(Code(rawValue: number) ?? .unknown, Self.decoded(value("grpc-message") ?? ""))
    }

    /// Undoes `encodedMessage`'s percent-encoding; a malformed escape stays as it is.
    static func decoded(_ message: String) -> String {
        var bytes: [UInt8] = []
        var utf8 = Array(message.utf8)[...]
        while let byte = utf8.popFirst() {
            if byte == UInt8(ascii: "%"), utf8.count >= 2,
                let value = UInt8(String(decoding: utf8.prefix(2), as: UTF8.self), radix: 16)
            {
                bytes.append(value)
                utf8 = utf8.dropFirst(2)
            } else {
                bytes.append(byte)
            }
        }
        return String(decoding: bytes, as: UTF8.self)
    }
}
