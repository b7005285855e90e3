public import Foundation
public import TLS

/// The development API server's CA, serving certificate and standard users'
/// tokens. Kept under `DIR/pki` when objects persist, so that a restarted
/// server is the same server to its clients: their kubeconfigs (CA and
/// token) stay valid, as they do across a kube-apiserver restart.
public struct DevServerIdentity: Sendable {
    public var certificates: GeneratedCertificates
    public var authenticator: TokenAuthenticator

    /// What `directory/pki` holds, or a new identity (written there when
    /// `directory` is given); `directory` nil makes a new one in memory only.
    public static func loadOrCreate(directory: URL?) throws -> DevServerIdentity {
        guard let directory else { return try create() }
        let pki = directory.appendingPathComponent("pki")
        let files = ["ca.crt", "serving.crt", "serving.key", "tokens.csv"].map { pki.appendingPathComponent($0) }
        if let contents = try? files.map({ try Data(contentsOf: $0) }) {
            return DevServerIdentity(
                certificates: GeneratedCertificates(
                    caCertificatePEM: Array(contents[0]), certificatePEM: Array(contents[1]),
                    privateKeyPEM: Array(contents[2])),
                authenticator: try TokenAuthenticator(staticTokenFile: String(decoding: contents[3], as: UTF8.self)))
        }
        let identity = try create()
        try FileManager.default.createDirectory(
            at: pki, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        let contents = [
            identity.certificates.caCertificatePEM, identity.certificates.certificatePEM,
            identity.certificates.privateKeyPEM, Array(identity.authenticator.staticTokenFileText.utf8),
        ]
        for (file, bytes) in zip(files, contents) {
            guard
                FileManager.default.createFile(
                    atPath: file.path, contents: Data(bytes), attributes: [.posixPermissions: 0o600])
            else { throw CocoaError(.fileWriteUnknown, userInfo: [NSFilePathErrorKey: file.path]) }
        }
        return identity
    }

    private static func create() throws -> DevServerIdentity {
        DevServerIdentity(
            certificates: try CertificateFactory.development(
                commonName: "kcp-ingress-dev-apiserver", dnsNames: ["localhost"], ipAddresses: ["127.0.0.1", "::1"]),
            authenticator: .generated())
    }
}
