import Foundation
import NIOCore
import NIOPosix
import Synchronization
import Testing

@testable import TLS

/// Session resumption as a real client does it: `openssl s_client` saves the
/// session with its ticket, and presents it on the next connection.
@Suite("TLS session tickets: resumption, key rotation, keys shared across contexts", .timeLimit(.minutes(1)))
struct SessionTicketTests {
    /// A TLS server on 127.0.0.1 that answers what a connection sends with
    /// "bye" and closes it; each new connection takes the context
    /// `current` holds then, as the listener takes a reloaded certificate's.
    final class Server: Sendable {
        final class Current: Sendable {
            let context: Mutex<TLSContext>
            init(_ context: TLSContext) { self.context = Mutex(context) }
        }
        let current: Current
        private let channel: any Channel

        var port: Int { channel.localAddress!.port! }

        init(_ context: TLSContext) async throws {
            let current = Current(context)
            self.current = current
            channel = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
                .childChannelInitializer { channel in
                    channel.eventLoop.makeCompletedFuture {
                        try channel.pipeline.syncOperations.addHandlers(
                            TLSHandler(context: current.context.withLock { $0 }), Farewell())
                    }
                }
                .bind(host: "127.0.0.1", port: 0).get()
        }

        func close() async throws { try await channel.close() }
    }

    final class Farewell: ChannelInboundHandler, Sendable {
        typealias InboundIn = ByteBuffer
        typealias OutboundOut = ByteBuffer

        func channelRead(context: ChannelHandlerContext, data: NIOAny) {
            context.writeAndFlush(wrapOutboundOut(ByteBuffer(string: "bye\n")), promise: nil)
            context.close(promise: nil)
        }
    }

    /// Connects with `s_client`, presenting the session in `session` if it
    /// exists and saving the new one there: whether the handshake resumed.
    func connect(_ port: Int, _ version: String, session: String, certs: TestCertificates) throws -> Bool {
        try handshake(port, version, session: session, certs: certs).resumed
    }

    /// As `connect`, and whether the server sent a ticket.
    func handshake(_ port: Int, _ version: String, session: String, certs: TestCertificates) throws -> (
        resumed: Bool, ticket: Bool
    ) {
        var arguments = [
            "s_client", "-connect", "127.0.0.1:\(port)", version, "-CAfile", certs.path("ca.crt"), "-ign_eof", "-msg",
            "-sess_out", session,
        ]
        if FileManager.default.fileExists(atPath: session) { arguments += ["-sess_in", session] }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/openssl")
        process.arguments = arguments
        let input = Pipe()
        let output = Pipe()
        process.standardInput = input
        process.standardOutput = output
        process.standardError = FileHandle.nullDevice
        try process.run()
        input.fileHandleForWriting.write(Data("hello\n".utf8))
        try input.fileHandleForWriting.close()
        let text = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        #expect(text.contains("bye"), "the connection carried data: \(text.suffix(400))")
        #expect(text.contains("New, ") || text.contains("Reused, "), "s_client says whether it resumed")
        return (text.contains("Reused, "), text.contains("<<< TLS 1.2, Handshake") && text.contains("NewSessionTicket"))
    }

    func context(_ certs: TestCertificates, _ keys: SessionTicketKeys?) throws -> TLSContext {
        try TLSContext(configuration: .server(identity: certs.serverIdentity, sessionTicketKeys: keys))
    }

    @Test("a ticket resumes the session, over TLS 1.3 and 1.2", arguments: ["-tls1_3", "-tls1_2"])
    func resumes(version: String) async throws {
        let certs = try TestCertificates()
        defer { certs.remove() }
        let server = try await Server(try context(certs, SessionTicketKeys()))
        let session = certs.path("session-\(version).pem")
        #expect(try !connect(server.port, version, session: session, certs: certs))
        #expect(try connect(server.port, version, session: session, certs: certs))
        #expect(try connect(server.port, version, session: session, certs: certs))
        try await server.close()
    }

    @Test("after a rotation the old key still opens its tickets and the client gets a new one; after two it does not")
    func rotation() async throws {
        let version = "-tls1_3"
        let certs = try TestCertificates()
        defer { certs.remove() }
        let keys = SessionTicketKeys()
        let server = try await Server(try context(certs, keys))
        let kept = certs.path("kept.pem")
        let old = certs.path("old.pem")
        #expect(try !connect(server.port, version, session: kept, certs: certs))
        try FileManager.default.copyItem(atPath: kept, toPath: old)

        keys.rotate()
        // Resumed, and given a ticket under the new key, which outlives the next rotation.
        #expect(try connect(server.port, version, session: kept, certs: certs))
        keys.rotate()
        #expect(try connect(server.port, version, session: kept, certs: certs))
        // A ticket under the key from two rotations ago is refused: a full handshake.
        #expect(try !connect(server.port, version, session: old, certs: certs))
        try await server.close()
    }

    /// `s_client` keeps a TLS 1.2 session's first ticket even when the
    /// server renews it, so the renewal is seen on the wire.
    @Test("TLS 1.2: a ticket under the previous key resumes and is renewed; one under the current key is not")
    func renewal() async throws {
        let certs = try TestCertificates()
        defer { certs.remove() }
        let keys = SessionTicketKeys()
        let server = try await Server(try context(certs, keys))
        let session = certs.path("session.pem")
        #expect(try handshake(server.port, "-tls1_2", session: session, certs: certs) == (false, true))
        #expect(try handshake(server.port, "-tls1_2", session: session, certs: certs) == (true, false))
        keys.rotate()
        #expect(try handshake(server.port, "-tls1_2", session: session, certs: certs) == (true, true))
        keys.rotate()
        #expect(try handshake(server.port, "-tls1_2", session: session, certs: certs) == (false, true))
        try await server.close()
    }

    @Test("a ticket issued under one context resumes under the next one that shares its keys (a certificate reload)")
    func sharedAcrossContexts() async throws {
        let certs = try TestCertificates()
        defer { certs.remove() }
        let keys = SessionTicketKeys()
        let server = try await Server(try context(certs, keys))
        let session = certs.path("session.pem")
        #expect(try !connect(server.port, "-tls1_3", session: session, certs: certs))
        let reloaded = try context(certs, keys)
        server.current.context.withLock { $0 = reloaded }
        #expect(try connect(server.port, "-tls1_3", session: session, certs: certs))
        // Another context with keys of its own cannot open it.
        let stranger = try context(certs, SessionTicketKeys())
        server.current.context.withLock { $0 = stranger }
        #expect(try !connect(server.port, "-tls1_3", session: session, certs: certs))
        try await server.close()
    }

    @Test("without keys no ticket is issued: TLS 1.3 never resumes")
    func withoutKeys() async throws {
        let certs = try TestCertificates()
        defer { certs.remove() }
        let server = try await Server(try context(certs, nil))
        let session = certs.path("session.pem")
        #expect(try !connect(server.port, "-tls1_3", session: session, certs: certs))
        #expect(try !connect(server.port, "-tls1_3", session: session, certs: certs))
        try await server.close()
    }

    @Test("keys encrypt for one interval and decrypt for two")
    func keyAges() throws {
        let keys = SessionTicketKeys(rotationInterval: .seconds(60))
        let start = ContinuousClock.now
        let first = keys.encryptionKey(now: start)
        #expect(keys.encryptionKey(now: start + .seconds(59)).name == first.name)
        #expect(keys.decryptionKey(named: first.name, now: start + .seconds(59))?.isCurrent == true)
        let second = keys.encryptionKey(now: start + .seconds(61))
        #expect(second.name != first.name)
        #expect(keys.decryptionKey(named: first.name, now: start + .seconds(61))?.isCurrent == false)
        #expect(keys.decryptionKey(named: first.name, now: start + .seconds(121)) == nil)
        #expect(keys.decryptionKey(named: second.name, now: start + .seconds(121))?.isCurrent == false)
    }
}
