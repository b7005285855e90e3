import NIOCore
import Testing

@testable import TLS

/// The C boundary itself: TLSConnection between two memory BIOs, with
/// bytes moved by hand, one at a time.
@Suite("TLSConnection at the OpenSSL boundary")
struct TLSConnectionTests {
    @Test("a handshake fed one byte at a time completes, and records cross intact")
    func byteAtATime() throws {
        let certs = try TestCertificates()
        defer { certs.remove() }
        let client = try TLSConnection(
            context: TLSContext(configuration: .client(trustRoots: .pem(certs.caPEM))), serverName: "localhost")
        let server = try TLSConnection(context: TLSContext(configuration: .server(identity: certs.serverIdentity)))
        let allocator = ByteBufferAllocator()

        func trickle(_ bytes: ByteBuffer?, into peer: TLSConnection) {
            guard var bytes else { return }
            while let byte = bytes.readSlice(length: 1) { peer.receive(byte) }
        }
        var clientDone = false
        var serverDone = false
        for _ in 0..<10 where !(clientDone && serverDone) {
            if case .complete = client.handshake() { clientDone = true }
            trickle(client.takeOutput(allocator: allocator), into: server)
            if case .complete = server.handshake() { serverDone = true }
            trickle(server.takeOutput(allocator: allocator), into: client)
        }
        #expect(clientDone && serverDone)
        #expect(client.protocolVersion == "TLSv1.3")

        let message = ByteBuffer(string: String(repeating: "kcp-ingress ", count: 5000))  // several records
        #expect(client.write(message) == nil)
        trickle(client.takeOutput(allocator: allocator), into: server)
        var received = allocator.buffer(capacity: 0)
        guard case .needMoreInput = server.read(into: &received) else {
            Issue.record("the server could not read")
            return
        }
        #expect(received == message)
        #expect(OpenSSLErrorQueue.isEmpty)
    }

    @Test("a failure drains the whole error queue into the error, leaving nothing for the next connection")
    func errorQueueDrained() throws {
        let certs = try TestCertificates()
        defer { certs.remove() }
        let server = try TLSConnection(context: TLSContext(configuration: .server(identity: certs.serverIdentity)))
        server.receive(ByteBuffer(bytes: [0x16, 0x03, 0x01, 0xFF, 0xFF] + [UInt8](repeating: 0, count: 64)))
        guard case .failed(let error) = server.handshake() else {
            Issue.record("garbage was accepted")
            return
        }
        #expect(!error.openSSLErrors.isEmpty)
        #expect(error.openSSLErrors.allSatisfy { $0.hasPrefix("error:") })
        #expect(OpenSSLErrorQueue.isEmpty)
    }

    @Test("PEM parsing errors name the input and carry OpenSSL's reason")
    func pemErrors() throws {
        let error = #expect(throws: TLSError.self) {
            try PEM.certificates(Array("not a certificate".utf8), what: "the certificate file")
        }
        #expect(error?.code == .invalidCredentials)
        #expect(error?.message == "no PEM certificate found in the certificate file")
        #expect(OpenSSLErrorQueue.isEmpty)
    }
}
