import SwiftProtobuf

/// Writes a call's response: headers before the first message, then
/// length-prefixed messages.
///
/// Safe for concurrent senders: each message goes to the transport in one
/// step that sends the headers first if nobody has yet, so no message can
/// overtake the headers and be lost.
struct GRPCResponseWriter: Sendable {
    let stream: any GRPCServerStream

    func send(_ message: some SwiftProtobuf.Message) async throws {
        let bytes: [UInt8]
        do {
            bytes = try message.serializedBytes()
        } catch {
            throw GRPCStatus(.internal, "cannot encode \(type(of: message).protoMessageName): \(error)")
        }
        try await stream.write(GRPCFraming.frame(bytes), startingResponseWith: GRPCServer.responseHeaders)
    }
}
