import Foundation
import TLS

/// Certificates made for one test by the project's own `certs/gen-dev-certs.sh`.
struct TestCertificates {
    let directory: URL

    static let script = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("certs/gen-dev-certs.sh")

    /// A new CA with a server certificate; `client: true` adds a client one.
    init(client: Bool = false, keyType: String = "ec") throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("kcp-tls-\(UUID().uuidString)")
        try generate("server", keyType: keyType)
        if client { try generate("client", keyType: keyType) }
    }

    func generate(_ kind: String, keyType: String = "ec") throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/bash")
        process.arguments = [Self.script.path, directory.path, kind]
        process.environment = ProcessInfo.processInfo.environment.merging(["KEY_TYPE": keyType]) { $1 }
        process.standardOutput = FileHandle.nullDevice
        try process.run()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else { throw CocoaError(.fileWriteUnknown) }
    }

    func bytes(_ name: String) throws -> [UInt8] {
        Array(try Data(contentsOf: directory.appendingPathComponent(name)))
    }

    func path(_ name: String) -> String { directory.appendingPathComponent(name).path }

    var serverIdentity: CertificateKeyPair {
        get throws {
            CertificateKeyPair(certificateChainPEM: try bytes("tls.crt"), privateKeyPEM: try bytes("tls.key"))
        }
    }

    var clientIdentity: CertificateKeyPair {
        get throws {
            CertificateKeyPair(certificateChainPEM: try bytes("client.crt"), privateKeyPEM: try bytes("client.key"))
        }
    }

    var caPEM: [UInt8] { get throws { try bytes("ca.crt") } }

    func remove() { try? FileManager.default.removeItem(at: directory) }
}
