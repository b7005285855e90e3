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

    /// A server under `keys` (nil: no tickets) with certificates of its
    /// own, and a client that connects to it with `openssl s_client`.
    struct Fixture {
        let certs: TestCertificates
        let server: Server

        init(_ keys: SessionTicketKeys?) async throws {
            certs = try TestCertificates()
            server = try await Server(try Self.context(certs, keys))
        }

        static func context(_ certs: TestCertificates, _ keys: SessionTicketKeys?) throws -> TLSContext {
            try TLSContext(configuration: .server(identity: certs.serverIdentity, sessionTicketKeys: keys))
        }

        /// What one `s_client` connection saw.
        struct Handshake {
            var resumed: Bool
            /// A TLS 1.2 NewSessionTicket inside the handshake: a new or renewed ticket.
            var ticketInHandshake: Bool
            /// Seconds, as the server's ticket says.
            var lifetimeHint: Int?
        }

        /// Connects, presenting the session saved as `session` if there is
        /// one and saving the new one there.
        func handshake(_ version: String, session: String) throws -> Handshake {
            let file = certs.path(session)
            var arguments = [
                "s_client", "-connect", "127.0.0.1:\(server.port)", version, "-CAfile", certs.path("ca.crt"),
                "-ign_eof", "-msg", "-sess_out", file,
            ]
            if FileManager.default.fileExists(atPath: file) { arguments += ["-sess_in", file] }
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
            let lines = text.split(separator: "\n")
            let hint = lines.first { $0.contains("lifetime hint:") }.flatMap {
                Int($0.split(separator: ":")[1].split(separator: " ")[0])
            }
            return Handshake(
                resumed: text.contains("Reused, "),
                ticketInHandshake: lines.contains {
                    $0.contains("<<< TLS 1.2, Handshake") && $0.contains("NewSessionTicket")
                },
                lifetimeHint: hint)
        }

        /// Whether a connection presenting `session` resumed.
        func connect(_ version: String, session: String) throws -> Bool {
            try handshake(version, session: session).resumed
        }

        func close() async throws {
            try await server.close()
            certs.remove()
        }
    }

    @Test(
        "a ticket resumes the session, over TLS 1.3 and 1.2; its lifetime hint is the rotation interval",
        arguments: ["-tls1_3", "-tls1_2"])
    func resumes(version: String) async throws {
        let fixture = try await Fixture(SessionTicketKeys(rotationInterval: .seconds(1800)))
        let first = try fixture.handshake(version, session: "session.pem")
        #expect(!first.resumed)
        #expect(first.lifetimeHint == 1800)
        #expect(try fixture.connect(version, session: "session.pem"))
        #expect(try fixture.connect(version, session: "session.pem"))
        try await fixture.close()
    }

    @Test("after a rotation the old key still opens its tickets and the client gets a new one; after two it does not")
    func rotation() async throws {
        let keys = SessionTicketKeys()
        let fixture = try await Fixture(keys)
        #expect(try !fixture.connect("-tls1_3", session: "kept.pem"))
        try FileManager.default.copyItem(atPath: fixture.certs.path("kept.pem"), toPath: fixture.certs.path("old.pem"))

        keys.rotate()
        // Resumed, and given a ticket under the new key, which outlives the next rotation.
        #expect(try fixture.connect("-tls1_3", session: "kept.pem"))
        keys.rotate()
        #expect(try fixture.connect("-tls1_3", session: "kept.pem"))
        // A ticket under the key from two rotations ago is refused: a full handshake.
        #expect(try !fixture.connect("-tls1_3", session: "old.pem"))
        try await fixture.close()
    }

    /// `s_client` keeps a TLS 1.2 session's first ticket even when the
    /// server renews it, so the renewal is seen on the wire.
    @Test("TLS 1.2: a ticket under the previous key resumes and is renewed; one under the current key is not")
    func renewal() async throws {
        let keys = SessionTicketKeys()
        let fixture = try await Fixture(keys)
        func handshake() throws -> (resumed: Bool, ticket: Bool) {
            let seen = try fixture.handshake("-tls1_2", session: "session.pem")
            return (seen.resumed, seen.ticketInHandshake)
        }
        #expect(try handshake() == (false, true))
        #expect(try handshake() == (true, false))
        keys.rotate()
        #expect(try handshake() == (true, true))
        keys.rotate()
        #expect(try handshake() == (false, true))
        try await fixture.close()
    }

    @Test("a ticket issued under one context resumes under the next one that shares its keys (a certificate reload)")
    func sharedAcrossContexts() async throws {
        let keys = SessionTicketKeys()
        let fixture = try await Fixture(keys)
        #expect(try !fixture.connect("-tls1_3", session: "session.pem"))
        let reloaded = try Fixture.context(fixture.certs, keys)
        fixture.server.current.context.withLock { $0 = reloaded }
        #expect(try fixture.connect("-tls1_3", session: "session.pem"))
        // Another context with keys of its own cannot open it.
        let stranger = try Fixture.context(fixture.certs, SessionTicketKeys())
        fixture.server.current.context.withLock { $0 = stranger }
        #expect(try !fixture.connect("-tls1_3", session: "session.pem"))
        try await fixture.close()
    }

    @Test("without keys no ticket is issued: TLS 1.3 never resumes")
    func withoutKeys() async throws {
        let fixture = try await Fixture(nil)
        #expect(try !fixture.connect("-tls1_3", session: "session.pem"))
        #expect(try !fixture.connect("-tls1_3", session: "session.pem"))
        try await fixture.close()
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
