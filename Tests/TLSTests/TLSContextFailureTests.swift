import NIOCore
import NIOEmbedded
import Testing

@testable import TLS

/// The failure paths of the initialisers that own OpenSSL pointers: each
/// must throw a clear error and free what it made exactly once. A double
/// free here aborts the test process, so "the test ran to its end" is part
/// of what these assert.
@Suite("TLS contexts and generated certificates fail cleanly")
struct TLSContextFailureTests {
    static let notPEM = Array("this is not a certificate\n".utf8)

    @Test("a server whose client CA is not PEM is refused with a clear error, after its identity was set")
    func serverClientCANotPEM() throws {
        let certs = try TestCertificates()
        defer { certs.remove() }
        let error = #expect(throws: TLSError.self) {
            try TLSContext(configuration: .server(identity: certs.serverIdentity, clientCA: .pem(Self.notPEM)))
        }
        #expect(error?.code == .invalidCredentials)
        #expect(error?.message == "no PEM certificate found in the CA data")
        #expect(OpenSSLErrorQueue.isEmpty)
    }

    @Test("a client whose CA data is not PEM is refused with a clear error")
    func clientCANotPEM() throws {
        let error = #expect(throws: TLSError.self) {
            try TLSContext(configuration: .client(trustRoots: .pem(Self.notPEM), applicationProtocols: ["h2"]))
        }
        #expect(error?.message == "no PEM certificate found in the CA data")
        #expect(OpenSSLErrorQueue.isEmpty)
    }

    @Test("a client CA file that does not exist is refused with its path")
    func clientCAFileMissing() throws {
        let error = #expect(throws: TLSError.self) {
            try TLSContext(configuration: .client(trustRoots: .file("/nonexistent/ca.crt")))
        }
        #expect(error?.message == "CA bundle /nonexistent/ca.crt could not be loaded")
    }

    @Test("failures before the identity is set: no identity, a key that is not PEM")
    func failuresBeforeIdentity() throws {
        let certs = try TestCertificates()
        defer { certs.remove() }
        let noIdentity = TLSConfiguration(role: .server, identity: nil, trustRoots: nil, applicationProtocols: [])
        #expect(throws: TLSError.self) { try TLSContext(configuration: noIdentity) }
        let badKey = CertificateKeyPair(certificateChainPEM: try certs.bytes("tls.crt"), privateKeyPEM: Self.notPEM)
        let error = #expect(throws: TLSError.self) { try TLSContext(configuration: .server(identity: badKey)) }
        #expect(error?.message == "no usable PEM private key in the private key file")
    }

    @Test("a context refused many times over leaves the process and OpenSSL's error queue sound")
    func repeatedRefusals() throws {
        let certs = try TestCertificates()
        defer { certs.remove() }
        // Heap corruption from a double free does not always abort at once;
        // repeating the failing path makes it show.
        for _ in 0..<200 {
            #expect(throws: TLSError.self) {
                try TLSContext(configuration: .server(identity: certs.serverIdentity, clientCA: .pem(Self.notPEM)))
            }
        }
        let good = try TLSContext(configuration: .server(identity: certs.serverIdentity, clientCA: .pem(certs.caPEM)))
        #expect(good.certificate != nil)
        #expect(OpenSSLErrorQueue.isEmpty)
    }

    @Test("a connection whose server name cannot be sent is refused after its SSL was made, and freed once")
    func connectionServerNameRefused() throws {
        let client = try TLSContext(configuration: .client(trustRoots: nil))
        // SNI carries at most 255 bytes, so OpenSSL refuses this name once the
        // SSL and its BIOs exist: the throw runs `deinit`, the only free.
        let name = String(repeating: "a", count: 63) + "." + String(repeating: "b", count: 250)
        for _ in 0..<50 {
            let error = #expect(throws: TLSError.self) { try TLSConnection(context: client, serverName: name) }
            #expect(error?.message == "\(name) cannot be used as a server name")
        }
        #expect(OpenSSLErrorQueue.isEmpty)
        _ = try TLSConnection(context: client, serverName: "localhost")
    }

    @Test("when the second key generation fails, the first key is freed")
    func certificateFactoryFreesEarlierKeys() throws {
        weak var firstKey: PrivateKey?
        var generated = 0
        let error = #expect(throws: TLSError.self) {
            try CertificateFactory.development(
                commonName: "test", dnsNames: ["localhost"], ipAddresses: [], days: 1
            ) { () throws(TLSError) -> PrivateKey in
                generated += 1
                guard generated == 1 else { throw TLSError(.invalidCredentials, "EC key generation failed") }
                let key = try CertificateFactory.newP256Key()
                firstKey = key
                return key
            }
        }
        #expect(error?.message == "EC key generation failed")
        #expect(generated == 2)
        #expect(firstKey == nil, "the CA key made before the failure is freed")
    }

    @Test("generated development certificates make a working server context")
    func certificateFactoryWorks() throws {
        let generated = try CertificateFactory.development(
            commonName: "kcp-ingress", dnsNames: ["localhost"], ipAddresses: ["127.0.0.1"])
        let server = try TLSContext(configuration: .server(identity: generated.identity))
        #expect(server.certificate?.subject == "/CN=kcp-ingress")
        _ = try TLSContext(configuration: .client(trustRoots: .pem(generated.caCertificatePEM)))
    }
}
