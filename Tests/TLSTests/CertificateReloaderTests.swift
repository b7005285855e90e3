import Foundation
import Logging
import NIOCore
import NIOEmbedded
import Testing

@testable import TLS

@Suite("Serving certificates reload from disk without a restart")
struct CertificateReloaderTests {
    /// A directory laid out as kubelet lays out a Secret volume:
    /// `tls.crt -> ..data/tls.crt`, `..data -> ..<version>`.
    struct SecretVolume {
        let root: URL
        var version = 0

        init() throws {
            root = FileManager.default.temporaryDirectory.appendingPathComponent("kcp-secret-\(UUID().uuidString)")
            try FileManager.default.createDirectory(at: root, withIntermediateDirectories: true)
            for name in ["tls.crt", "tls.key"] {
                try FileManager.default.createSymbolicLink(
                    atPath: root.appendingPathComponent(name).path, withDestinationPath: "..data/\(name)")
            }
        }

        /// Publishes a new pair the way kubelet does: a new versioned
        /// directory, then an atomic rename of the `..data` symlink.
        mutating func publish(certificate: [UInt8], key: [UInt8]) throws {
            version += 1
            let versioned = root.appendingPathComponent("..v\(version)")
            try FileManager.default.createDirectory(at: versioned, withIntermediateDirectories: true)
            try Data(certificate).write(to: versioned.appendingPathComponent("tls.crt"))
            try Data(key).write(to: versioned.appendingPathComponent("tls.key"))
            let temporary = root.appendingPathComponent("..data_tmp").path
            try FileManager.default.createSymbolicLink(atPath: temporary, withDestinationPath: "..v\(version)")
            guard rename(temporary, root.appendingPathComponent("..data").path) == 0 else {
                throw CocoaError(.fileWriteUnknown)
            }
        }

        var files: CertificateReloader.Files {
            .init(
                certificate: root.appendingPathComponent("tls.crt").path,
                privateKey: root.appendingPathComponent("tls.key").path)
        }
    }

    @Test("a Secret-style symlink flip is picked up from file events, without waiting for the poll")
    func symlinkFlip() async throws {
        let certs = try TestCertificates()
        defer { certs.remove() }
        var volume = try SecretVolume()
        try volume.publish(certificate: certs.bytes("tls.crt"), key: certs.bytes("tls.key"))
        let reloader = try CertificateReloader(
            files: volume.files, applicationProtocols: ["http/1.1"], logger: Logger(label: "test"))
        let first = try #require(reloader.current.certificate?.serialNumber)

        // The poll is an hour away: only a file event can make the reload
        // happen within the test. The files change once the watch is in place.
        let (watchStarted, started) = AsyncStream.makeStream(of: Bool.self)
        let watching = Task { await reloader.run(pollInterval: .seconds(3600)) { started.yield($0) } }
        defer { watching.cancel() }
        var events = watchStarted.makeAsyncIterator()
        let inotify = await events.next()
        try #require(inotify == true, "inotify is available")
        try certs.generate("server")
        try volume.publish(certificate: certs.bytes("tls.crt"), key: certs.bytes("tls.key"))
        let expected = try TLSContext(configuration: .server(identity: certs.serverIdentity)).certificate?.serialNumber

        // Bounded generously for a loaded machine; the event usually lands in milliseconds.
        let deadline = ContinuousClock.now + .seconds(30)
        while reloader.current.certificate?.serialNumber == first, ContinuousClock.now < deadline {
            try await Task.sleep(for: .milliseconds(20))
        }
        #expect(reloader.current.certificate?.serialNumber == expected)
        #expect(expected != first)
    }

    @Test("a client CA that is not PEM is a clear error at start, and on reload keeps the previous context")
    func clientCANotPEM() throws {
        let certs = try TestCertificates()
        defer { certs.remove() }
        let caFile = URL(fileURLWithPath: certs.path("client-ca.crt"))
        let files = CertificateReloader.Files(
            certificate: certs.path("tls.crt"), privateKey: certs.path("tls.key"), clientCA: caFile.path)
        let notPEM = Data("not a certificate\n".utf8)

        try notPEM.write(to: caFile)
        let error = #expect(throws: TLSError.self) {
            try CertificateReloader(files: files, applicationProtocols: ["h2"], logger: Logger(label: "test"))
        }
        #expect(error?.message == "no PEM certificate found in the CA data")

        try Data(certs.caPEM).write(to: caFile)
        let reloader = try CertificateReloader(
            files: files, applicationProtocols: ["h2"], logger: Logger(label: "test"))
        let before = reloader.current
        try notPEM.write(to: caFile)
        guard case .failed(let failure) = reloader.reloadIfChanged() else {
            Issue.record("a client CA that is not PEM was accepted")
            return
        }
        #expect(failure.message == "no PEM certificate found in the CA data")
        #expect(reloader.current === before)
        #expect(reloader.reloadIfChanged() == .failed(failure), "the bad file stays refused, not taken as unchanged")
    }

    @Test("a mismatched pair keeps the old certificate in service")
    func mismatchedPair() throws {
        let certs = try TestCertificates()
        let other = try TestCertificates()
        defer {
            certs.remove()
            other.remove()
        }
        var volume = try SecretVolume()
        try volume.publish(certificate: certs.bytes("tls.crt"), key: certs.bytes("tls.key"))
        let reloader = try CertificateReloader(
            files: volume.files, applicationProtocols: [], logger: Logger(label: "test"))
        let before = reloader.current

        try volume.publish(certificate: other.bytes("tls.crt"), key: certs.bytes("tls.key"))
        guard case .failed(let error) = reloader.reloadIfChanged() else {
            Issue.record("a mismatched pair was accepted")
            return
        }
        #expect(error.message.contains("does not match"))
        #expect(reloader.current === before)

        // A half-written file is refused the same way.
        try volume.publish(certificate: Array(certs.bytes("tls.crt").prefix(100)), key: certs.bytes("tls.key"))
        guard case .failed(let truncated) = reloader.reloadIfChanged() else {
            Issue.record("a half-written certificate was not refused")
            return
        }
        #expect(truncated.message == "no PEM certificate found in the certificate file")
        #expect(reloader.current === before)

        // Once the pair is whole again, it is taken.
        try volume.publish(certificate: other.bytes("tls.crt"), key: other.bytes("tls.key"))
        guard case .reloaded = reloader.reloadIfChanged() else {
            Issue.record("a good pair was refused")
            return
        }
        #expect(reloader.reloadIfChanged() == .unchanged)
    }

    @Test("an unreadable file is a clear error at start")
    func unreadable() throws {
        let files = CertificateReloader.Files(certificate: "/nonexistent/tls.crt", privateKey: "/nonexistent/tls.key")
        #expect(throws: TLSError.self) {
            try CertificateReloader(files: files, applicationProtocols: [], logger: Logger(label: "test"))
        }
    }

    @Test("RSA keys of 2048 bits are accepted, shorter ones refused")
    func rsaKeySize() throws {
        let certs = try TestCertificates(keyType: "rsa")
        defer { certs.remove() }
        #expect(throws: Never.self) { try TLSContext(configuration: .server(identity: certs.serverIdentity)) }

        let weakKey = certs.path("weak.key")
        let generate = Process()
        generate.executableURL = URL(fileURLWithPath: "/usr/bin/openssl")
        generate.arguments = [
            "req", "-x509", "-newkey", "rsa:1024", "-nodes", "-keyout", weakKey, "-out", certs.path("weak.crt"),
            "-subj", "/CN=weak", "-days", "1",
        ]
        generate.standardError = FileHandle.nullDevice
        try generate.run()
        generate.waitUntilExit()
        let weak = CertificateKeyPair(
            certificateChainPEM: try certs.bytes("weak.crt"), privateKeyPEM: try certs.bytes("weak.key"))
        let error = #expect(throws: TLSError.self) { try TLSContext(configuration: .server(identity: weak)) }
        #expect(error?.message.contains("1024 bits") == true)
    }

    @Test("a handshake after a reload presents the new certificate")
    func handshakeAfterReload() throws {
        let certs = try TestCertificates()
        defer { certs.remove() }
        var volume = try SecretVolume()
        try volume.publish(certificate: certs.bytes("tls.crt"), key: certs.bytes("tls.key"))
        let reloader = try CertificateReloader(
            files: volume.files, applicationProtocols: [], logger: Logger(label: "test"))
        let client = try TLSContext(configuration: .client(trustRoots: .pem(certs.caPEM)))

        func servedSerial() throws -> String? {
            let pair = try BackToBack(
                client: TLSHandler(context: client, serverName: "localhost"),
                server: TLSHandler(context: reloader.current))
            try pair.connect()
            return try pair.client.pipeline.syncOperations.handler(type: TLSHandler.self).handshakeInfo?
                .peerCertificate?.serialNumber
        }
        let before = try servedSerial()
        try certs.generate("server")
        try volume.publish(certificate: certs.bytes("tls.crt"), key: certs.bytes("tls.key"))
        reloader.reloadIfChanged()
        let after = try servedSerial()
        #expect(before != nil && after != nil && before != after)
        #expect(after == reloader.current.certificate?.serialNumber)
    }
}
