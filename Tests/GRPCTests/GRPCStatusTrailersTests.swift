import HTTP2
import Testing

@testable import GRPC

@Suite("gRPC status in trailers")
struct GRPCStatusTrailersTests {
    @Test("a message with %, control characters and non-ASCII text survives the trailers' percent-encoding")
    func roundTrip() {
        let status = GRPCStatus(.invalidArgument, "100% wrong:\n naïve ✓")
        let trailers = status.trailers
        #expect(trailers.first { $0.name == "grpc-message" }?.value.allSatisfy(\.isASCII) == true)
        #expect(GRPCStatus(trailers: trailers) == status)
    }

    @Test("without grpc-status the call did not end as gRPC: UNKNOWN, naming the HTTP status")
    func noStatus() {
        let status = GRPCStatus(trailers: [HTTP2Header(":status", "415")])
        #expect(status.code == .unknown)
        #expect(status.message.contains("415"))
    }
}
