import NIOCore
import NIOEmbedded
import Testing

@testable import TLS

@Suite("TLS handshake between the OpenSSL client and server handlers, in memory")
struct TLSHandshakeTests {
    /// A client trusting `clientTrusts` (the server's own CA by default)
    /// facing a server with `certs`' certificate.
    func pair(
        _ certs: TestCertificates,
        clientTrusts: [UInt8]? = nil,
        serverName: String = "localhost",
        clientProtocols: [String] = ["http/1.1"],
        clientIdentity: CertificateKeyPair? = nil,
        serverRequiresClientCA: Bool = false
    ) throws -> BackToBack {
        let client = try TLSContext(
            configuration: .client(
                trustRoots: .pem(clientTrusts ?? certs.caPEM), identity: clientIdentity,
                applicationProtocols: clientProtocols))
        let server = try TLSContext(
            configuration: .server(
                identity: certs.serverIdentity, clientCA: serverRequiresClientCA ? .pem(certs.caPEM) : nil))
        return try BackToBack(
            client: TLSHandler(context: client, serverName: serverName), server: TLSHandler(context: server))
    }

    @Test("a handshake completes, agrees on ALPN and carries data both ways")
    func handshakeAndData() throws {
        let certs = try TestCertificates()
        defer { certs.remove() }
        let pair = try pair(certs, clientProtocols: ["h2", "http/1.1"])
        try pair.connect()
        #expect(pair.clientEvents.negotiatedProtocols == ["http/1.1"])
        #expect(pair.serverEvents.negotiatedProtocols == ["http/1.1"])

        try pair.client.writeAndFlush(ByteBuffer(string: "ping")).wait()
        try pair.pump()
        #expect(try pair.received(by: pair.server) == "ping")
        try pair.server.writeAndFlush(ByteBuffer(string: "pong")).wait()
        try pair.pump()
        #expect(try pair.received(by: pair.client) == "pong")

        let serverHandler = try pair.server.pipeline.syncOperations.handler(type: TLSHandler.self)
        #expect(serverHandler.handshakeInfo?.protocolVersion == "TLSv1.3")
        #expect(OpenSSLErrorQueue.isEmpty)
    }

    @Test("writes made before the handshake completes are sent after it, in order")
    func writesBeforeHandshake() throws {
        let certs = try TestCertificates()
        defer { certs.remove() }
        let pair = try pair(certs, serverName: "127.0.0.1")
        pair.client.write(ByteBuffer(string: "one,"), promise: nil)
        pair.client.write(ByteBuffer(string: "two"), promise: nil)
        pair.client.flush()
        try pair.connect()
        #expect(try pair.received(by: pair.server) == "one,two")
    }

    @Test("closing sends close_notify and the peer closes too")
    func closeNotify() throws {
        let certs = try TestCertificates()
        defer { certs.remove() }
        let pair = try pair(certs)
        try pair.connect()
        _ = pair.client.close()
        // The alert was written before the client's transport closed.
        let alert = try #require(try pair.client.readOutbound(as: ByteBuffer.self))
        try pair.server.writeInbound(alert)
        #expect(!pair.server.isActive)
        #expect(pair.serverEvents.errors.isEmpty)
    }

    @Test("a server certificate from an unknown CA fails verification with OpenSSL's reason")
    func unknownCA() throws {
        let certs = try TestCertificates()
        let other = try TestCertificates()
        defer {
            certs.remove()
            other.remove()
        }
        let pair = try pair(certs, clientTrusts: other.caPEM)
        try pair.connect()
        let error = try #require(pair.clientEvents.tlsErrors.first)
        #expect(error.code == .handshakeFailed)
        #expect(error.reason == "certificate_verify_failed")
        #expect(error.description.contains("unable to get local issuer certificate"))
        #expect(!pair.client.isActive)
        #expect(OpenSSLErrorQueue.isEmpty)
    }

    @Test("a certificate that does not name the server is refused")
    func hostnameMismatch() throws {
        let certs = try TestCertificates()
        defer { certs.remove() }
        let pair = try pair(certs, serverName: "example.com")
        try pair.connect()
        let error = try #require(pair.clientEvents.tlsErrors.first)
        #expect(error.description.contains("hostname mismatch"))
        #expect(!pair.clientEvents.handshakeCompleted)
    }

    @Test("a certificate whose CN names the server but whose subjectAltNames do not is refused, as Go refuses it")
    func commonNameIsNotAName() throws {
        // CN=localhost, and only an IP address among the subjectAltNames:
        // OpenSSL's default would fall back to the CN, Go never does.
        let generated = try CertificateFactory.development(
            commonName: "localhost", dnsNames: [], ipAddresses: ["127.0.0.1"])
        let client = try TLSContext(configuration: .client(trustRoots: .pem(generated.caCertificatePEM)))
        let server = try TLSContext(configuration: .server(identity: generated.identity))

        let byName = try BackToBack(
            client: TLSHandler(context: client, serverName: "localhost"), server: TLSHandler(context: server))
        try byName.connect()
        let error = try #require(byName.clientEvents.tlsErrors.first)
        #expect(error.description.contains("hostname mismatch"))
        #expect(!byName.clientEvents.handshakeCompleted)

        let byAddress = try BackToBack(
            client: TLSHandler(context: client, serverName: "127.0.0.1"), server: TLSHandler(context: server))
        try byAddress.connect()
        #expect(byAddress.clientEvents.handshakeCompleted, "the subjectAltName that is there still counts")
        #expect(OpenSSLErrorQueue.isEmpty)
    }

    @Test("mutual TLS: no client certificate is refused, one from the trusted CA is accepted")
    func mutualTLS() throws {
        let certs = try TestCertificates(client: true)
        defer { certs.remove() }
        let anonymous = try pair(certs, serverRequiresClientCA: true)
        try anonymous.connect()
        #expect(anonymous.serverEvents.tlsErrors.first?.reason == "peer_did_not_return_a_certificate")

        let known = try pair(certs, clientIdentity: certs.clientIdentity, serverRequiresClientCA: true)
        try known.connect()
        #expect(known.serverEvents.handshakeCompleted)
        let serverHandler = try known.server.pipeline.syncOperations.handler(type: TLSHandler.self)
        #expect(serverHandler.handshakeInfo?.peerCertificate?.subject == "/CN=kcp-ingress-client")
    }

    @Test("garbage instead of a ClientHello closes the connection with an error")
    func garbage() throws {
        let certs = try TestCertificates()
        defer { certs.remove() }
        let server = EmbeddedChannel()
        let events = EventRecorder()
        try server.pipeline.syncOperations.addHandlers([
            TLSHandler(context: TLSContext(configuration: .server(identity: certs.serverIdentity))), events,
        ])
        _ = server.connect(to: try SocketAddress(ipAddress: "127.0.0.1", port: 443))
        try server.writeInbound(ByteBuffer(string: "GET / HTTP/1.1\r\nHost: x\r\n\r\n"))
        #expect(!server.isActive)
        #expect(events.tlsErrors.first?.reason == "http_request")
        #expect(OpenSSLErrorQueue.isEmpty)
    }

    @Test("a connection that closes mid-handshake reports an unexpected EOF")
    func truncatedHandshake() throws {
        let certs = try TestCertificates()
        defer { certs.remove() }
        let pair = try pair(certs)
        let address = try SocketAddress(ipAddress: "127.0.0.1", port: 443)
        _ = pair.server.connect(to: address)
        _ = pair.client.connect(to: address)
        var hello = try #require(try pair.client.readOutbound(as: ByteBuffer.self))
        try pair.server.writeInbound(hello.readSlice(length: hello.readableBytes / 2)!)
        _ = pair.server.close()
        #expect(pair.serverEvents.tlsErrors.first?.code == .unexpectedEOF)
    }

    @Test("the handshake times out when the peer says nothing")
    func handshakeTimeout() throws {
        let certs = try TestCertificates()
        defer { certs.remove() }
        let server = EmbeddedChannel()
        let events = EventRecorder()
        try server.pipeline.syncOperations.addHandlers([
            TLSHandler(
                context: TLSContext(configuration: .server(identity: certs.serverIdentity)),
                handshakeTimeout: .seconds(5)),
            events,
        ])
        _ = server.connect(to: try SocketAddress(ipAddress: "127.0.0.1", port: 443))
        server.embeddedEventLoop.advanceTime(by: .seconds(4))
        #expect(server.isActive)
        server.embeddedEventLoop.advanceTime(by: .seconds(2))
        #expect(!server.isActive)
        #expect(events.tlsErrors.first?.code == .handshakeTimeout)
    }
}
